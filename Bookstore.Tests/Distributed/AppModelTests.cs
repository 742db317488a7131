using System.Net;
using Bookstore.Hosting.Orchestration;
using Bookstore.Tests.Infrastructure;

namespace Bookstore.Tests.Distributed;

/// <summary>The whole app, from the AppHost's own model, as real processes.</summary>
public sealed class AppModelTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_home_page_shows_three_books_and_no_process_is_left_afterwards()
    {
        IReadOnlyList<int> processes;
        await using (var app = await BookstoreApp.StartAsync())
        {
            using var http = app.CreateHttpClient(BookstoreApp.Marketplace);

            var page = await http.GetStringAsync("/", Cancellation);

            Assert.Equal(3, BookstoreApp.CountBooks(page));
            Assert.All(app.Resources, resource => Assert.All(app.GetReplicas(resource.Name), replica => Assert.Equal(ReplicaState.Healthy, replica.State)));
            processes = BookstoreApp.ProcessIds(app);
            Assert.Equal(2, processes.Count);
        }

        Assert.DoesNotContain(processes, BookstoreApp.IsRunning);
    }

    [Fact]
    public async Task A_process_that_exits_while_the_app_stops_is_not_reported_as_a_crash()
    {
        var output = new StringWriter();
        await using var app = await BookstoreApp.StartAsync(output: TextWriter.Synchronized(output));
        var recommendations = app.GetReplicas(BookstoreApp.Recommendations)[0].ProcessId!.Value;

        // Ctrl+C in a terminal (or `timeout`) signals the whole process group: Recommendations gets SIGTERM itself
        // and exits while the AppHost is still stopping the Marketplace, before its own turn comes.
        var stopping = app.StopAsync();
        ServiceProcess.Signal(recommendations, ServiceProcess.SigTerm);
        await stopping;

        Assert.DoesNotContain("exited unexpectedly", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Three_replicas_each_get_at_least_a_fifth_of_300_home_page_requests()
    {
        await using var app = await BookstoreApp.StartAsync(recommendationReplicas: 3);
        using var http = app.CreateHttpClient(BookstoreApp.Marketplace);

        for (var i = 0; i < 300; i++)
        {
            var page = await http.GetStringAsync("/", Cancellation);
            Assert.Equal(3, BookstoreApp.CountBooks(page));
        }

        // Each replica logs one line per call it served.
        await Task.Delay(200, Cancellation);
        var served = Enumerable.Range(0, 3)
            .Select(replica => app.GetConsoleLogs(BookstoreApp.Recommendations, replica).Count(line => line.Text.Contains(BookstoreApp.RecommendLogLine, StringComparison.Ordinal)))
            .ToList();
        // One call per page; should a retry ever add one, the Marketplace's warnings (Polly logs retries) say why.
        var marketplace = app.GetConsoleLogs(BookstoreApp.Marketplace);
        var warnings = marketplace.Select((line, i) => (line, i))
            .Where(item => item.line.Text.StartsWith("warn", StringComparison.Ordinal) || item.line.Text.StartsWith("fail", StringComparison.Ordinal))
            .Select(item => item.line.Text + (item.i + 1 < marketplace.Count ? " " + marketplace[item.i + 1].Text.Trim() : ""));
        Assert.True(served.Sum() == 300, $"{served.Sum()} calls served for 300 pages ({string.Join(", ", served)}). Marketplace warnings: {string.Join(" | ", warnings)}");
        Assert.All(served, count => Assert.True(count >= 60, $"Calls per replica: {string.Join(", ", served)}."));
    }

    [Fact]
    public async Task Killing_recommendations_never_breaks_the_home_page_and_books_come_back_after_a_start()
    {
        await using var app = await BookstoreApp.StartAsync();
        using var http = app.CreateHttpClient(BookstoreApp.Marketplace);
        var failures = 0;
        var notices = 0;

        for (var i = 0; i < 200; i++)
        {
            if (i == 50)
            {
                await app.KillResourceAsync(BookstoreApp.Recommendations);
            }

            using var response = await http.GetAsync("/", Cancellation);
            var page = await response.Content.ReadAsStringAsync(Cancellation);
            failures += response.StatusCode == HttpStatusCode.OK ? 0 : 1;
            notices += page.Contains(BookstoreApp.Notice, StringComparison.Ordinal) ? 1 : 0;
        }

        Assert.Equal(0, failures);
        Assert.Equal(150, notices);
        Assert.Equal(ReplicaState.Exited, app.GetReplicas(BookstoreApp.Recommendations)[0].State);

        await app.StartResourceAsync(BookstoreApp.Recommendations);
        var restarted = DateTime.UtcNow;
        while (BookstoreApp.CountBooks(await http.GetStringAsync("/", Cancellation)) != 3)
        {
            Assert.True(DateTime.UtcNow - restarted < TimeSpan.FromSeconds(5), "Books did not come back within 5 s of the restart.");
            await Task.Delay(100, Cancellation);
        }

        Assert.Equal(1, app.GetReplicas(BookstoreApp.Recommendations)[0].Restarts);

        await app.RestartResourceAsync(BookstoreApp.Recommendations);
        await app.WaitForResourceHealthyAsync(BookstoreApp.Recommendations, TimeSpan.FromSeconds(10), Cancellation);
        Assert.Equal(2, app.GetReplicas(BookstoreApp.Recommendations)[0].Restarts);
        Assert.Equal(3, BookstoreApp.CountBooks(await http.GetStringAsync("/", Cancellation)));
    }

    [Fact]
    public async Task Sigterm_to_one_of_three_replicas_under_load_fails_no_request()
    {
        await using var app = await BookstoreApp.StartAsync(recommendationReplicas: 3);
        var requests = 0;
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
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
        await app.StopResourceAsync(BookstoreApp.Recommendations, replica: 1);
        await Task.WhenAll(clients);

        Assert.Equal(ReplicaState.Exited, app.GetReplicas(BookstoreApp.Recommendations)[1].State);
        Assert.Equal(0, app.GetReplicas(BookstoreApp.Recommendations)[1].ExitCode);
        Assert.True(requests > 100, $"Only {requests} requests in 5 s.");
        var said = string.Join('\n', app.GetConsoleLogs(BookstoreApp.Marketplace).Select(line => line.Text)
            .Where(text => text.Contains("unavailable", StringComparison.Ordinal) || text.Contains("Exception", StringComparison.Ordinal)).Take(20));
        Assert.True(failures.IsEmpty, $"{failures.Count} of {requests} requests failed ({string.Join(", ", failures.Distinct())}). The Marketplace said:\n{said}");
    }
}
