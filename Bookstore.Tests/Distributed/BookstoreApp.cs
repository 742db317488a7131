using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Bookstore.Tests.Distributed;

/// <summary>The AppHost's own model, started with Aspire.Hosting.Testing, and what the tests ask of it.</summary>
public static partial class BookstoreApp
{
    public const string Recommendations = "recommendations";
    public const string Marketplace = "marketplace";
    public const string RecommendLogLine = "gRPC /Recommendations/Recommend finished with OK";
    public const string Notice = "Recommendations are unavailable right now";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Builds the AppHost's model (changed as the test asks), starts it and waits until every resource is healthy.</summary>
    /// <param name="recommendationReplicas">How many Recommendations processes.</param>
    /// <param name="dashboard">Whether the Aspire dashboard runs too (Aspire.Hosting.Testing leaves it out by default).</param>
    /// <param name="args">The AppHost's command line (e.g. <c>--database postgres</c>).</param>
    /// <param name="configure">Changes to the model before it is built.</param>
    public static async Task<DistributedApplication> StartAsync(
        int recommendationReplicas = 1, bool dashboard = false, string[]? args = null, Action<IDistributedApplicationTestingBuilder>? configure = null)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Bookstore_AppHost>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = dashboard }, args ?? [], cancellationToken);
        if (recommendationReplicas > 1)
        {
            builder.CreateResourceBuilder<ProjectResource>(Recommendations).WithReplicas(recommendationReplicas);
        }

        // The tests load the home page from one address, far past a visitor's rate limit (tested in RateLimitTests).
        builder.CreateResourceBuilder<ProjectResource>(Marketplace).WithEnvironment("RateLimiting__Enabled", "false");
        configure?.Invoke(builder);

        var app = await builder.BuildAsync(cancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            await app.StartAsync(timeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync(Marketplace, timeout.Token);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public static int CountBooks(string page) => ListItem().Count(page);

    /// <summary>The replicas of a resource as Aspire sees them now: id, state, process id. Waits until there are <paramref name="count"/>.</summary>
    public static async Task<IReadOnlyList<Replica>> ReplicasAsync(DistributedApplication app, string resource, int count = 1)
    {
        var replicas = new Dictionary<string, Replica>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        // WatchAsync first replays the current state of every resource, then follows the changes.
        await foreach (var change in app.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (change.Resource.Name == resource)
            {
                replicas[change.ResourceId] = new Replica(change.ResourceId, change.Snapshot.State?.Text, ProcessId(change.Snapshot), change.Snapshot.ExitCode);
                if (replicas.Count == count)
                {
                    break;
                }
            }
        }

        return [.. replicas.Values.OrderBy(replica => replica.Id, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Waits (10 s unless told) until one replica, by its resource id, is in a state that <paramref name="condition"/> accepts.
    /// Aspire's own WaitForResourceAsync matches resource names, which replicas share, and gives up on a resource whose
    /// snapshot says it exited, which a restarting replica's does for a moment.
    /// </summary>
    public static async Task<CustomResourceSnapshot> WaitForReplicaAsync(
        DistributedApplication app, string resourceId, Func<CustomResourceSnapshot, bool> condition, TimeSpan? within = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(within ?? TimeSpan.FromSeconds(10));
        await foreach (var change in app.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (change.ResourceId == resourceId && condition(change.Snapshot))
            {
                return change.Snapshot;
            }
        }

        throw new InvalidOperationException($"{resourceId} never reached the state the test waits for.");
    }

    /// <summary>The environment DCP gave a resource's (first) replica, with every value resolved.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> EnvironmentAsync(DistributedApplication app, string resource)
    {
        var replica = (await ReplicasAsync(app, resource))[0];
        return app.ResourceNotifications.TryGetCurrentState(replica.Id, out var state)
            ? state.Snapshot.EnvironmentVariables.Where(variable => variable.Value is not null).ToDictionary(variable => variable.Name, variable => variable.Value!)
            : throw new InvalidOperationException($"No state for {replica.Id}.");
    }

    /// <summary>Everything a replica printed (its console log as Aspire collected it).</summary>
    public static async Task<IReadOnlyList<string>> ConsoleLogAsync(DistributedApplication app, string resourceId)
    {
        var lines = new List<string>();
        await foreach (var batch in app.Services.GetRequiredService<ResourceLoggerService>().GetAllAsync(resourceId).WithCancellation(TestContext.Current.CancellationToken))
        {
            lines.AddRange(batch.Select(line => line.Content));
        }

        return lines;
    }

    /// <summary>Runs one of Aspire's resource commands (resource-stop, resource-start, ...) on one replica, as the dashboard does.</summary>
    public static async Task ExecuteAsync(DistributedApplication app, string resourceId, string command)
    {
        var result = await app.ResourceCommands.ExecuteCommandAsync(resourceId, command, TestContext.Current.CancellationToken);
        Assert.True(result.Success, $"{command} on {resourceId} failed: {result.Message}");
    }

    public static bool IsRunning(int processId) => Directory.Exists($"/proc/{processId}");

    public static int? ProcessId(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(property => property.Name == "executable.pid")?.Value is int pid ? pid : null;

    [GeneratedRegex("<li[ >]")]
    private static partial Regex ListItem();
}

/// <summary>One replica of a resource: its resource id (name-suffix), state, process id and exit code.</summary>
public sealed record Replica(string Id, string? State, int? ProcessId, int? ExitCode);
