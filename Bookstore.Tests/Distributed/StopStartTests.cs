using System.Diagnostics;
using System.Net;
using Aspire.Hosting.Testing;
using Aspire.Hosting.ApplicationModel;

namespace Bookstore.Tests.Distributed;

/// <summary>Aspire's own Stop and Start commands on Recommendations (what the dashboard's buttons do).</summary>
[Collection(AspireApps.Name)]
public sealed class StopStartTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = AspireApps.TestTimeout)]
    public async Task Stop_shows_the_notice_and_start_brings_books_back_within_5_s()
    {
        await using var app = await BookstoreApp.StartAsync();
        using var http = app.CreateHttpClient(BookstoreApp.Marketplace);
        var before = (await BookstoreApp.ReplicasAsync(app, BookstoreApp.Recommendations)).Single();
        var url = before;

        var stopwatch = Stopwatch.StartNew();
        await BookstoreApp.ExecuteAsync(app, before.Id, KnownResourceCommands.StopCommand);
        var stopped = stopwatch.Elapsed;

        var after = (await BookstoreApp.ReplicasAsync(app, BookstoreApp.Recommendations)).Single();
        Assert.False(BookstoreApp.IsRunning(before.ProcessId!.Value));
        Assert.True(stopped < TimeSpan.FromSeconds(5), $"Stopping took {stopped}.");
        Assert.Equal(0, after.ExitCode);
        var logs = await BookstoreApp.ConsoleLogAsync(app, before.Id);
        Assert.Contains(logs, line => line.Contains("Shutting down: health is NOT_SERVING", StringComparison.Ordinal));

        using (var response = await http.GetAsync("/", Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadAsStringAsync(Cancellation);
            Assert.True(page.Contains(BookstoreApp.Notice, StringComparison.Ordinal), page);
        }

        await BookstoreApp.ExecuteAsync(app, before.Id, KnownResourceCommands.StartCommand);
        var started = Stopwatch.StartNew();
        while (BookstoreApp.CountBooks(await http.GetStringAsync("/", Cancellation)) != 3)
        {
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), "Books did not come back within 5 s of the start.");
            await Task.Delay(100, Cancellation);
        }

        var restarted = (await BookstoreApp.ReplicasAsync(app, BookstoreApp.Recommendations)).Single();
        TestContext.Current.SendDiagnosticMessage($"stop took {stopped}; url before {url}, after {restarted}");
    }
}
