using System.Text.RegularExpressions;
using Bookstore.Hosting;
using Bookstore.Hosting.ApplicationModel;
using Bookstore.Hosting.Testing;

namespace Bookstore.Tests.Distributed;

/// <summary>The AppHost's own model, started for one test, and what the tests ask of it.</summary>
public static partial class BookstoreApp
{
    public const string Recommendations = "recommendations";
    public const string Marketplace = "marketplace";
    public const string RecommendLogLine = "gRPC /Recommendations/Recommend finished with OK";
    public const string Notice = "Recommendations are unavailable right now";

    /// <param name="recommendationReplicas">How many Recommendations processes.</param>
    /// <param name="output">Where the orchestrator reports (state changes, crashes); nowhere by default.</param>
    public static async Task<DistributedApplication> StartAsync(int recommendationReplicas = 1, TextWriter? output = null)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Bookstore_AppHost>(cancellationToken: TestContext.Current.CancellationToken);
        if (output is not null)
        {
            builder.Options.Output = output;
        }

        if (recommendationReplicas > 1)
        {
            builder.CreateResourceBuilder<ProjectResource>(Recommendations).WithReplicas(recommendationReplicas);
        }

        var app = await builder.BuildAsync(TestContext.Current.CancellationToken);
        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public static int CountBooks(string page) => ListItem().Count(page);

    /// <summary>The process ids of every replica, to check afterwards that none is left.</summary>
    public static IReadOnlyList<int> ProcessIds(DistributedApplication app) =>
        [.. app.Resources.SelectMany(resource => app.GetReplicas(resource.Name)).Select(replica => replica.ProcessId).OfType<int>()];

    public static bool IsRunning(int processId) => Directory.Exists($"/proc/{processId}");

    [GeneratedRegex("<li[ >]")]
    private static partial Regex ListItem();
}
