using System.Collections.Concurrent;
using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Bookstore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bookstore.Tests.Distributed;

/// <summary>Recommendations with <c>WithReplicas(3)</c>: calls spread over the replicas, and losing replicas breaks no page.</summary>
[Collection(AspireApps.Name)]
public sealed class ReplicaTests
{
    private const int Replicas = 3;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = AspireApps.TestTimeout)]
    public async Task Three_replicas_each_get_at_least_a_fifth_of_300_home_page_requests()
    {
        // Without the Marketplace's warm-up call at its start (Recommending/ChannelWarmUp.cs), every call served is a
        // page's (with it, counted from a baseline, the warm-up once showed twice on a loaded CI machine: 301 for 300).
        using var logs = new CollectingLoggerProvider();
        await using var app = await BookstoreApp.StartAsync(recommendationReplicas: Replicas, configure: builder =>
        {
            builder.CreateResourceBuilder<ProjectResource>(BookstoreApp.Marketplace).WithEnvironment("Recommendations__WarmUpOnStart", "false");
            builder.Services.AddLogging(logging => logging.AddProvider(logs));
        });
        using var http = app.CreateHttpClient(BookstoreApp.Marketplace);
        var replicas = await BookstoreApp.ReplicasAsync(app, BookstoreApp.Recommendations, Replicas);
        await OpenEveryReplicaConnectionAsync(app, http, replicas);

        for (var i = 0; i < 300; i++)
        {
            Assert.Equal(3, BookstoreApp.CountBooks(await http.GetStringAsync("/", Cancellation)));
        }

        var served = await ServedAsync(app, replicas, atLeast: 300);
        Assert.True(served.Sum() == 300, $"{served.Sum()} calls served for 300 pages ({string.Join(", ", served)}).");
        Assert.All(served, count => Assert.True(count >= 60, $"Calls per replica: {string.Join(", ", served)}."));

        // Stopping the app stops every replica with Aspire's Stop command first (the AppHost's OrderedShutdown), once:
        // Aspire.Hosting.Testing stops the host twice, and a second round of Stop commands on replicas already gone
        // waited 15 s for its timeout, then warned that Recommendations did not stop.
        await app.DisposeAsync();
        var warnings = logs.Entries.Where(entry => entry.Category.EndsWith(".OrderedShutdown", StringComparison.Ordinal) && entry.Level >= LogLevel.Warning).ToList();
        Assert.True(warnings.Count == 0, string.Join(Environment.NewLine, warnings.Select(entry => entry.Message)));
    }

    /// <summary>
    /// A first call to a replica opens its connection: both TLS handshakes and the JIT of the call's path on both sides.
    /// On a loaded CI machine that once took longer than the Marketplace's 1 s attempt timeout; the retry then ran into
    /// the page's 2 s deadline and the first counted page showed the notice. So every replica gets its first call
    /// before the count starts: GetBook calls for books that do not exist (through the Marketplace's JSON API, each id
    /// new, so its cache never answers), until each replica has logged one. The count below sees only Recommend calls.
    /// </summary>
    private static async Task OpenEveryReplicaConnectionAsync(DistributedApplication app, HttpClient http, IReadOnlyList<Replica> replicas)
    {
        const string GetBookLogLine = "gRPC /Recommendations/GetBook finished with";
        var reached = new bool[replicas.Count];
        var id = 1_000_000;
        await Eventually.HoldsAsync(
            async () =>
            {
                using var response = await http.GetAsync($"/api/books/{id++}", Cancellation);
                for (var i = 0; i < replicas.Count; i++)
                {
                    // A replica's log is read only until it shows the line.
                    reached[i] = reached[i] || (await BookstoreApp.ConsoleLogAsync(app, replicas[i].Id)).Any(line => line.Contains(GetBookLogLine, StringComparison.Ordinal));
                }

                return reached.All(r => r);
            },
            TimeSpan.FromSeconds(30),
            () => $"GetBook calls reached only {reached.Count(r => r)} of {replicas.Count} replicas in 30 s.");
    }

    /// <summary>
    /// Recommend calls each replica has served, once they add up to <paramref name="atLeast"/> or after 10 s: each replica
    /// logs one line per call, and the logs reach Aspire a moment after the call.
    /// </summary>
    private static async Task<int[]> ServedAsync(DistributedApplication app, IReadOnlyList<Replica> replicas, int atLeast)
    {
        var served = new int[replicas.Count];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        do
        {
            for (var i = 0; i < replicas.Count; i++)
            {
                served[i] = (await BookstoreApp.ConsoleLogAsync(app, replicas[i].Id)).Count(line => line.Contains(BookstoreApp.RecommendLogLine, StringComparison.Ordinal));
            }
        }
        while (served.Sum() < atLeast && DateTime.UtcNow < deadline && await Delay());

        return served;
    }

    [Fact(Timeout = AspireApps.TestTimeout)]
    public async Task Sigterm_to_one_of_three_replicas_under_load_from_8_clients_fails_no_request()
    {
        await using var app = await BookstoreApp.StartAsync(recommendationReplicas: Replicas);
        var replicas = await BookstoreApp.ReplicasAsync(app, BookstoreApp.Recommendations, Replicas);
        var requests = 0;
        var failures = new ConcurrentBag<string>();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);

        async Task Client()
        {
            using var http = app.CreateHttpClient(BookstoreApp.Marketplace);
            while (DateTime.UtcNow < until)
            {
                using var response = await http.GetAsync("/", Cancellation);
                var page = await response.Content.ReadAsStringAsync(Cancellation);
                Interlocked.Increment(ref requests);
                if (response.StatusCode != HttpStatusCode.OK || BookstoreApp.CountBooks(page) != 3)
                {
                    failures.Add($"{(int)response.StatusCode}: {(page.Contains(BookstoreApp.Notice, StringComparison.Ordinal) ? "notice" : "no books")}");
                }
            }
        }

        var clients = Enumerable.Range(0, 8).Select(_ => Task.Run(Client, Cancellation)).ToList();
        await Task.Delay(1500, Cancellation);
        ServiceProcess.Signal(replicas[1].ProcessId!.Value, ServiceProcess.SigTerm);
        await Task.WhenAll(clients);

        // DCP reports the exit a moment after it happens: wait for Aspire to see it, then read the exit code.
        var stopped = await BookstoreApp.WaitForReplicaAsync(app, replicas[1].Id, snapshot => KnownResourceStates.TerminalStates.Contains(snapshot.State?.Text));
        Assert.False(BookstoreApp.IsRunning(replicas[1].ProcessId!.Value));
        Assert.Equal(0, stopped.ExitCode);
        Assert.True(requests > 100, $"Only {requests} requests in 5 s.");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {requests} requests failed ({string.Join(", ", failures.Distinct())}).");
    }

    [Fact(Timeout = AspireApps.TestTimeout)]
    public async Task Killing_every_recommendations_process_during_200_pages_gives_200_answers_with_the_notice()
    {
        await using var app = await BookstoreApp.StartAsync(recommendationReplicas: Replicas);
        var replicas = await BookstoreApp.ReplicasAsync(app, BookstoreApp.Recommendations, Replicas);
        using var http = app.CreateHttpClient(BookstoreApp.Marketplace);
        var failures = 0;
        var notices = 0;

        for (var i = 0; i < 200; i++)
        {
            if (i == 50)
            {
                foreach (var replica in replicas)
                {
                    ServiceProcess.Signal(replica.ProcessId!.Value, ServiceProcess.SigKill);
                }

                while (replicas.Any(replica => BookstoreApp.IsRunning(replica.ProcessId!.Value)))
                {
                    await Task.Delay(10, Cancellation);
                }
            }

            using var response = await http.GetAsync("/", Cancellation);
            var page = await response.Content.ReadAsStringAsync(Cancellation);
            failures += response.StatusCode == HttpStatusCode.OK ? 0 : 1;
            notices += page.Contains(BookstoreApp.Notice, StringComparison.Ordinal) ? 1 : 0;
        }

        Assert.Equal(0, failures);
        Assert.Equal(150, notices);
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(200, Cancellation);
        return true;
    }
}
