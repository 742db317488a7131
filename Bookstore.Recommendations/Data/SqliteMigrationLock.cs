using System.Globalization;
using Bookstore.Recommendations.Catalog;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Bookstore.Recommendations.Data;

/// <summary>
/// Releases EF Core's SQLite migration lock when the process that took it died holding it.
/// <para>
/// Why: on SQLite, EF Core 10 takes its migration lock by inserting a row into <c>__EFMigrationsLock</c> and deletes it
/// when done; a process killed during a migration (SIGKILL, a power cut) leaves the row, and every later migration waits
/// for it forever without a word: the service never starts. Each migration runs in its own transaction, so the killed
/// one left nothing else behind. Here a lock older than <see cref="CatalogOptions.MigrationLockTimeout"/> (default 30 s;
/// this catalog's migrations take well under a second) is taken as abandoned and removed, saying so; a younger one is
/// waited for, as another replica may be migrating the same file. (PostgreSQL's lock is an advisory lock that ends with
/// its session, so it needs nothing of this.)
/// </para>
/// </summary>
public static partial class SqliteMigrationLock
{
    private const string Table = "__EFMigrationsLock";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public static async Task ReleaseIfAbandonedAsync(DatabaseFacade database, TimeSpan timeout, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var connection = database.GetDbConnection();
        await database.OpenConnectionAsync(cancellationToken);
        try
        {
            string? waitingFor = null;
            while (await TakenAtAsync(connection, cancellationToken) is { } taken)
            {
                if (time.GetUtcNow() - ParseTimestamp(taken) < timeout)
                {
                    if (waitingFor != taken)
                    {
                        LogWaiting(logger, taken);
                        waitingFor = taken;
                    }

                    await Task.Delay(PollInterval, time, cancellationToken);
                    continue;
                }

                // Only the row that was read: a lock another process has just taken is left alone.
                await using var delete = connection.CreateCommand();
                delete.CommandText = $"DELETE FROM \"{Table}\" WHERE \"Id\" = 1 AND \"Timestamp\" = $taken";
                var parameter = delete.CreateParameter();
                parameter.ParameterName = "$taken";
                parameter.Value = taken;
                delete.Parameters.Add(parameter);
                if (await delete.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    LogReleased(logger, taken, timeout);
                }
            }
        }
        finally
        {
            await database.CloseConnectionAsync();
        }
    }

    private static async Task<string?> TakenAtAsync(System.Data.Common.DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name FROM sqlite_master WHERE type = 'table' AND name = '{Table}'";
        if (await command.ExecuteScalarAsync(cancellationToken) is null)
        {
            return null;
        }

        command.CommandText = $"SELECT \"Timestamp\" FROM \"{Table}\" WHERE \"Id\" = 1";
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    // EF Core writes the time as a SQLite literal of a DateTimeOffset ("2026-12-01 06:14:15.1234567+00:00"); a row that
    // does not parse is taken as abandoned rather than waited for forever.
    private static DateTimeOffset ParseTimestamp(string value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var taken) ? taken : DateTimeOffset.MinValue;

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "The catalog's migration lock has been held since {Taken}: waiting for it")]
    private static partial void LogWaiting(ILogger logger, string taken);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Removed the catalog's migration lock taken at {Taken}: held longer than {Timeout}, its migration was interrupted (the process ended holding it). That migration's transaction was rolled back; the migrations run again now")]
    private static partial void LogReleased(ILogger logger, string taken, TimeSpan timeout);
}
