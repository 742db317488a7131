using System.Diagnostics;
using System.Text.RegularExpressions;
using Bookstore.Tests.Infrastructure;

namespace Bookstore.Tests.Distributed;

/// <summary>The AppHost as a person runs it: a process, stopped by Ctrl+C or SIGTERM, or killed outright.</summary>
public sealed partial class AppHostProcessTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sigterm_stops_every_resource_and_exits_0()
    {
        await using var appHost = await AppHostProcess.StartAsync();
        var children = appHost.Children();
        Assert.Equal(2, children.Count);
        using var http = new HttpClient();
        Assert.Equal(3, BookstoreApp.CountBooks(await http.GetStringAsync(appHost.MarketplaceUrl, Cancellation)));

        appHost.Process.Signal(ServiceProcess.SigTerm);

        Assert.Equal(0, await appHost.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("Stopped.", appHost.Process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(children, BookstoreApp.IsRunning);
    }

    [Fact]
    public async Task Sigkill_of_the_apphost_leaves_no_process_behind()
    {
        await using var appHost = await AppHostProcess.StartAsync();
        var children = appHost.Children();
        Assert.Equal(2, children.Count);

        appHost.Process.Signal(ServiceProcess.SigKill);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (children.Any(BookstoreApp.IsRunning) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Cancellation);
        }

        Assert.DoesNotContain(children, BookstoreApp.IsRunning);
    }

    [Fact]
    public async Task A_crashed_replica_is_reported_with_its_exit_code_and_last_lines()
    {
        await using var appHost = await AppHostProcess.StartAsync();
        var recommendations = appHost.Children().Single(pid => File.ReadAllText($"/proc/{pid}/cmdline").Contains("Bookstore.Recommendations", StringComparison.Ordinal));

        Process.GetProcessById(recommendations).Kill();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!appHost.Process.Output.Contains("recommendations-0 exited unexpectedly with code 137", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"No crash report in the AppHost's output:\n{appHost.Process.Output}");
            await Task.Delay(100, Cancellation);
        }

        Assert.Contains("Now listening on", appHost.Process.Output, StringComparison.Ordinal);
    }

    private sealed partial class AppHostProcess : IAsyncDisposable
    {
        private AppHostProcess(ServiceProcess process, Uri marketplaceUrl)
        {
            Process = process;
            MarketplaceUrl = marketplaceUrl;
        }

        public ServiceProcess Process { get; }

        public Uri MarketplaceUrl { get; }

        public static async Task<AppHostProcess> StartAsync()
        {
            var process = await ServiceProcess.StartAsync("Bookstore.AppHost", readyLine: MarketplaceLine());
            return new AppHostProcess(process, new Uri(MarketplaceLine().Match(process.Output).Groups["url"].Value));
        }

        /// <summary>The processes the AppHost started: its children, whichever of its threads forked them.</summary>
        public IReadOnlyList<int> Children() =>
            [.. Directory.GetDirectories($"/proc/{Process.ProcessId}/task")
                .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(int.Parse)];

        public async ValueTask DisposeAsync()
        {
            var children = Process.HasExited ? [] : Children();
            await Process.DisposeAsync();
            foreach (var child in children.Where(BookstoreApp.IsRunning))
            {
                System.Diagnostics.Process.GetProcessById(child).Kill();
            }
        }

        [GeneratedRegex(@"^marketplace (?<url>http://\S+)", RegexOptions.Multiline)]
        private static partial Regex MarketplaceLine();
    }
}
