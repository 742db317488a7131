using Bookstore.Recommendations.Catalog;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Options;

namespace Bookstore.Recommendations.Data;

/// <summary>
/// Applies the catalog's migrations: the <c>migrate</c> command (<c>dotnet run --project Bookstore.Recommendations -- migrate</c>,
/// the deployments' migration job) and, when configured, the service's start. EF Core applies them under its migration
/// lock (replicas starting together take turns; on SQLite a lock left by a killed migration is released, see
/// <see cref="SqliteMigrationLock"/>) and each in a transaction, so a failing migration leaves the schema as it was
/// before it; the process then ends with exit code 1 and says why.
/// </summary>
public static partial class CatalogMigrator
{
    public const string CommandName = "migrate";
    public const int FailureExitCode = 1;

    /// <summary>The <c>migrate</c> command: migrates and returns the process's exit code.</summary>
    public static async Task<int> RunCommandAsync(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CatalogMigrator));
        return await MigrateAsync(app.Services, logger, app.Lifetime.ApplicationStopping) ? 0 : FailureExitCode;
    }

    /// <summary>Migrates before the service starts when <see cref="CatalogOptions.MigrateOnStart"/> says so; false when it failed.</summary>
    public static async Task<bool> MigrateOnStartAsync(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<CatalogOptions>>().Value.MigrateOnStart != true)
        {
            return true;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CatalogMigrator));
        return await MigrateAsync(app.Services, logger, app.Lifetime.ApplicationStopping);
    }

    private static async Task<bool> MigrateAsync(IServiceProvider services, ILogger logger, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<CatalogDbContext>().Database;
        try
        {
            if (database.IsSqlite())
            {
                // Write-ahead logging: readers (other replicas on the same file) do not block the writer. It is a
                // property of the file, set outside any transaction; commits stay durable (synchronous=FULL).
                await database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            }

            var pending = (await database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count == 0)
            {
                LogUpToDate(logger);
                return true;
            }

            if (database.IsSqlite())
            {
                var timeout = services.GetRequiredService<IOptions<CatalogOptions>>().Value.MigrationLockTimeout;
                await SqliteMigrationLock.ReleaseIfAbandonedAsync(database, timeout, TimeProvider.System, logger, cancellationToken);
            }

            await database.MigrateAsync(cancellationToken);
            LogApplied(logger, pending.Count, pending);
            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFailed(logger, exception, database, exception.Message);
            return false;
        }
    }

    // Which database, never the whole connection string (it may carry a password).
    private static void LogFailed(ILogger logger, Exception exception, DatabaseFacade database, string reason) =>
        LogFailed(logger, exception,
            database.IsSqlite()
                ? $"SQLite file {new SqliteConnectionStringBuilder(database.GetConnectionString()).DataSource}"
                : $"PostgreSQL database {database.GetDbConnection().Database} on {database.GetDbConnection().DataSource}",
            reason);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "The catalog database is up to date")]
    private static partial void LogUpToDate(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Applied {Count} migration(s) to the catalog database: {Migrations}")]
    private static partial void LogApplied(ILogger logger, int count, IEnumerable<string> migrations);

    [LoggerMessage(EventId = 3, Level = LogLevel.Critical, Message = "Migrating the catalog database ({Database}) failed: {Reason} The failed migration was rolled back; fix the cause and run the migration again. The service does not start.")]
    private static partial void LogFailed(ILogger logger, Exception exception, string database, string reason);
}
