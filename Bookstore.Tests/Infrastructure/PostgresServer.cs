using System.Globalization;
using System.Security.Cryptography;
using Npgsql;

namespace Bookstore.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL server for the test run: our Debian-built image (scripts/build-postgres-image.sh) in the Docker engine
/// (scripts/test.sh starts one), on a loopback port, started at the first test that asks and removed at the end. Each
/// caller gets a database of its own.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string Image = "bookstore/postgres:15";

    private static readonly SemaphoreSlim Starting = new(1, 1);
    private static PostgresServer? _started;

    private readonly string _containerId;
    private readonly string _adminConnectionString;

    private PostgresServer(string containerId, string adminConnectionString)
    {
        _containerId = containerId;
        _adminConnectionString = adminConnectionString;
    }

    /// <summary>A new, empty database; its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var server = await StartedAsync();
        var name = $"test_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(server._adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(server._adminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Removes the server if this run started one (the assembly fixture calls it at the end).</summary>
    public static async Task StopAsync()
    {
        if (_started is { } server)
        {
            await server.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Command.RunAsync("docker", RepoPaths.Root, ["rm", "-f", "-v", _containerId]);
    }

    private static async Task<PostgresServer> StartedAsync()
    {
        await Starting.WaitAsync();
        try
        {
            return _started ??= await StartAsync();
        }
        finally
        {
            Starting.Release();
        }
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var (exitCode, output) = await Command.RunAsync("docker", RepoPaths.Root,
            ["run", "-d", "--label", "bookstore-tests", "-e", "POSTGRES_PASSWORD", "-p", "127.0.0.1::5432", Image],
            environment: new Dictionary<string, string> { ["POSTGRES_PASSWORD"] = password });
        if (exitCode != 0)
        {
            throw new InvalidOperationException(
                $"Could not start {Image} (scripts/test.sh starts a Docker engine and builds the image: scripts/build-postgres-image.sh): {output}");
        }

        var containerId = output.Trim().Split('\n')[^1];
        var port = (await Command.RunAsync("docker", RepoPaths.Root, ["port", containerId, "5432/tcp"])).Output.Trim().Split('\n')[0].Split(':')[^1];
        var server = new PostgresServer(containerId, new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = int.Parse(port, CultureInfo.InvariantCulture),
            Username = "postgres",
            Password = password,
            Database = "postgres",
            Pooling = false,
        }.ConnectionString);

        // Ready once it accepts a login (the image initialises the cluster first).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(server._adminConnectionString);
                await connection.OpenAsync();
                return server;
            }
            catch (Exception exception) when (exception is NpgsqlException or IOException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}

/// <summary>Removes the test run's PostgreSQL server, if one was started, when the run ends.</summary>
public sealed class PostgresServerCleanup : IAsyncLifetime
{
    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await PostgresServer.StopAsync();
}
