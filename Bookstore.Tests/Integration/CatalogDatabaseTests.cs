using System.Collections.Concurrent;
using Bookstore.Protos;
using Bookstore.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Data.Sqlite;

namespace Bookstore.Tests.Integration;

/// <summary>Recommendations' own database on real processes: migrations (the command, at start, a failure) and durability.</summary>
public sealed class CatalogDatabaseTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("bookstore-catalog-");

    private string DatabaseFile => Path.Combine(_directory.FullName, "catalog.db");

    private Dictionary<string, string> Environment => new() { ["ConnectionStrings__catalog"] = $"Data Source={DatabaseFile}" };

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task The_migrate_command_creates_and_seeds_the_schema_then_finds_it_up_to_date()
    {
        var first = await Command.RecommendationsAsync(Environment, "migrate");
        var second = await Command.RecommendationsAsync(Environment, "migrate");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("Applied 1 migration(s) to the catalog database", first.Output, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("The catalog database is up to date", second.Output, StringComparison.Ordinal);
        Assert.Equal(36L, Scalar("SELECT COUNT(*) FROM Books"));
        Assert.Equal("The Maltese Falcon", Scalar("SELECT Title FROM Books WHERE Id = 1"));
    }

    [Fact]
    public async Task A_failing_migration_stops_the_service_with_a_message_and_rolls_back_what_it_did()
    {
        // A table in the way: the first migration creates Books, then fails on Ratings.
        Execute("CREATE TABLE Ratings (Something INTEGER)");

        var (exitCode, output) = await Command.RecommendationsAsync(Environment);

        Assert.Equal(1, exitCode);
        Assert.Contains($"Migrating the catalog database (SQLite file {DatabaseFile}) failed", output, StringComparison.Ordinal);
        Assert.Contains("The service does not start.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", output, StringComparison.Ordinal);
        // Nothing of the failed migration is left: no Books table, no history row.
        Assert.Equal(0L, Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'Books'"));
        var hasHistory = (long)Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = '__EFMigrationsHistory'")! == 1;
        Assert.True(!hasHistory || (long)Scalar("SELECT COUNT(*) FROM __EFMigrationsHistory")! == 0);
    }

    // EF Core's SQLite migration lock as a killed migration leaves it; without our release the command waits forever.
    [Fact(Timeout = 60_000)]
    public async Task A_migration_lock_left_by_a_killed_migration_is_released_at_once_and_the_migration_runs()
    {
        var taken = TakeMigrationLock(DateTimeOffset.UtcNow.AddMinutes(-5));   // older than the 30 s timeout: abandoned

        var (exitCode, output) = await Command.RecommendationsAsync(Environment, "migrate");

        Assert.True(exitCode == 0, output);
        Assert.Contains($"Removed the catalog's migration lock taken at {taken}", output, StringComparison.Ordinal);
        Assert.DoesNotContain("waiting for it", output, StringComparison.Ordinal);
        Assert.Contains("Applied 1 migration(s) to the catalog database", output, StringComparison.Ordinal);
        Assert.Equal(0L, Scalar("""SELECT COUNT(*) FROM "__EFMigrationsLock" """));
    }

    // A lock held by a live process (another replica migrating): waited for while it is kept fresh, removed once it ages
    // past the timeout. The test holds it as that process would, rewriting its time until the service says it waits,
    // then lets it go stale: however slowly the service starts, it finds the lock young.
    [Fact(Timeout = 60_000)]
    public async Task A_migration_lock_held_by_a_live_process_is_waited_for_until_it_goes_stale()
    {
        var environment = Environment;
        environment["Catalog__MigrationLockTimeout"] = "00:00:02";
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var taken = TakeMigrationLock(DateTimeOffset.UtcNow);
        var holder = Task.Run(async () =>
        {
            while (!waiting.Task.IsCompleted)
            {
                await Task.Delay(100, Cancellation);
                // An update, never an insert: a lock the service has removed is not taken again behind its back, and
                // once it is gone there is nothing left to hold (the assertions below then say what went wrong).
                var now = LockTime(DateTimeOffset.UtcNow);
                if (Execute($"""UPDATE "__EFMigrationsLock" SET "Timestamp" = '{now}' WHERE "Id" = 1 AND "Timestamp" = '{taken}'""") == 0)
                {
                    return;
                }

                taken = now;
            }
        }, Cancellation);

        var (exitCode, output) = await Command.RecommendationsAsync(environment, line =>
        {
            if (line.Contains("waiting for it", StringComparison.Ordinal))
            {
                waiting.TrySetResult();
            }
        }, "migrate");
        await holder;

        Assert.True(exitCode == 0, output);
        Assert.True(waiting.Task.IsCompleted, output);
        Assert.Contains($"Removed the catalog's migration lock taken at {taken}", output, StringComparison.Ordinal);
        Assert.Contains("Applied 1 migration(s) to the catalog database", output, StringComparison.Ordinal);
        Assert.Equal(0L, Scalar("""SELECT COUNT(*) FROM "__EFMigrationsLock" """));
    }

    /// <summary>EF Core's lock row (created as EF Core does), taken at <paramref name="at"/>; returns its time as stored.</summary>
    private string TakeMigrationLock(DateTimeOffset at)
    {
        Execute("""CREATE TABLE IF NOT EXISTS "__EFMigrationsLock" ("Id" INTEGER NOT NULL CONSTRAINT "PK___EFMigrationsLock" PRIMARY KEY, "Timestamp" TEXT NOT NULL)""");
        var taken = LockTime(at);
        Execute($"""INSERT INTO "__EFMigrationsLock" ("Id", "Timestamp") VALUES (1, '{taken}')""");
        return taken;
    }

    // As EF Core writes it: a SQLite literal of a DateTimeOffset.
    private static string LockTime(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm:ss.fffffffzzz", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_connection_string_of_no_known_kind_gets_a_message_that_says_what_to_use()
    {
        var (exitCode, output) = await Command.RecommendationsAsync(new Dictionary<string, string> { ["ConnectionStrings__catalog"] = "Endpoint=somewhere" });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ConnectionStrings:catalog is neither a PostgreSQL connection string", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_acknowledged_rating_survives_a_SIGKILL_during_a_stream_of_ratings()
    {
        var acknowledged = new ConcurrentDictionary<(int User, int Book), int>();
        await using (var service = await ServiceProcess.StartRecommendationsAsync(Environment))
        {
            using var channel = Http2.CreateChannel(service.BaseAddress);
            var client = Http2.RecommendationsClient(channel);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);

            // 4 writers, each its own users; every acknowledged (user, book, stars) is remembered.
            var writers = Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var request = new RateBookRequest { UserId = 10_000 + (writer * 100_000) + i, BookId = (i % 36) + 1, Stars = (i % 5) + 1 };
                    try
                    {
                        await client.RateBookAsync(request, cancellationToken: stop.Token);
                        acknowledged[(request.UserId, request.BookId)] = request.Stars;
                    }
                    catch (RpcException)
                    {
                        return;   // the process is gone: this call was never acknowledged
                    }
                }
            })).ToList();

            // Kill it while the writers are busy: once 300 ratings are acknowledged.
            while (acknowledged.Count < 300)
            {
                await Task.Delay(10, Cancellation);
                Assert.False(service.HasExited, service.Output);
            }

            service.Signal(ServiceProcess.SigKill);
            await service.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        var stored = new Dictionary<(int User, int Book), int>();
        using (var connection = Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT UserId, BookId, Stars FROM Ratings";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                stored[(reader.GetInt32(0), reader.GetInt32(1))] = reader.GetInt32(2);
            }
        }

        var lost = acknowledged.Where(rating => !stored.TryGetValue(rating.Key, out var stars) || stars != rating.Value).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged ratings are not in the database, e.g. {string.Join(", ", lost.Take(5))}.");
        Assert.True(acknowledged.Count >= 300);

        // And the service starts again on the same file and counts them.
        await using var restarted = await ServiceProcess.StartRecommendationsAsync(Environment);
        using var again = Http2.CreateChannel(restarted.BaseAddress);
        var book = await Http2.RecommendationsClient(again).GetBookAsync(new GetBookRequest { BookId = 1 }, cancellationToken: Cancellation);
        Assert.Equal(stored.Count(rating => rating.Key.Book == 1), book.Book.RatingCount);
    }

    [Fact]
    public async Task Health_probes_do_not_query_the_database_once_the_schema_is_current()
    {
        // Every EF Core command is logged: the probes must add none (gRPC health Check runs the checks on every call).
        // The log is in order, so once a call's own line is there, every query it made is there too.
        var environment = new Dictionary<string, string>(Environment) { ["Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command"] = "Information" };
        await using var service = await ServiceProcess.StartRecommendationsAsync(environment);
        using var channel = Http2.CreateChannel(service.BaseAddress);
        var health = Http2.HealthClient(channel);
        await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest(), cancellationToken: Cancellation);
        await WaitForLinesAsync(service, CheckLine, 1);
        var before = Count(service.Output, "Executed DbCommand");

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving,
                (await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest(), cancellationToken: Cancellation)).Status);
        }

        await WaitForLinesAsync(service, CheckLine, 51);
        Assert.True(before > 0, "EF Core's command log is not on: the test cannot see queries.");
        Assert.Equal(before, Count(service.Output, "Executed DbCommand"));
    }

    private const string CheckLine = "gRPC /grpc.health.v1.Health/Check finished with OK";

    private static int Count(string output, string text) => output.Split('\n').Count(line => line.Contains(text, StringComparison.Ordinal));

    private static Task WaitForLinesAsync(ServiceProcess service, string text, int count) => Eventually.HoldsAsync(
        () => Count(service.Output, text) >= count,
        TimeSpan.FromSeconds(10),
        () => $"Fewer than {count} lines \"{text}\" in:\n{service.Output}");

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={DatabaseFile}");
        connection.Open();
        return connection;
    }

    /// <summary>Runs a statement; the number of rows it changed.</summary>
    private int Execute(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
