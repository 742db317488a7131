using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bookstore.Tests.Infrastructure;

namespace Bookstore.Tests.Distributed;

/// <summary>
/// The AppHost as a person runs it: its own process (with the environment of its launch profile, on ports DCP picks),
/// what it prints, Ctrl+C or SIGTERM, or killed outright.
/// </summary>
[Collection(AspireApps.Name)]
public sealed partial class AppHostProcessTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = AspireApps.TestTimeout)]
    public async Task It_prints_the_dashboard_login_and_the_marketplace_url_reports_a_crash_and_after_sigkill_leaves_no_process()
    {
        await using var appHost = await AppHostProcess.StartAsync();
        Assert.Matches(DashboardLoginLine(), appHost.Process.Output);
        await Eventually.HoldsAsync(() => ReadyLine().IsMatch(appHost.Process.Output), TimeSpan.FromSeconds(5), () => $"No ready line:\n{appHost.Process.Output}");
        using var http = new HttpClient();
        Assert.Equal(3, BookstoreApp.CountBooks(await http.GetStringAsync(appHost.MarketplaceUrl, Cancellation)));

        // The launch profile's runtime setting reaches every .NET process of the app: the AppHost, and through DCP, which
        // starts its processes with its own environment and theirs, the dashboard and the services (README, launch profiles).
        var processes = appHost.AppProcesses();
        foreach (var name in (string[])["Bookstore.AppHost", "Aspire.Dashboard", "Bookstore.Recommendations", "Bookstore.Marketplace"])
        {
            var process = processes.Where(pid => Command.CommandLine(pid).Contains(name, StringComparison.Ordinal)).ToList();
            Assert.True(process.Count > 0, $"No {name} process among: {string.Join(", ", processes.Select(Command.CommandLine))}");
            Assert.All(process, pid => Assert.Equal("0", Command.EnvironmentOf(pid).GetValueOrDefault(WriteXorExecute)));
        }

        // A crash is reported with the resource's name, exit code and last lines.
        var recommendations = processes.Single(pid => Command.CommandLine(pid).Contains("Bookstore.Recommendations", StringComparison.Ordinal));
        ServiceProcess.Signal(recommendations, ServiceProcess.SigKill);
        await Eventually.HoldsAsync(() => CrashReport().IsMatch(appHost.Process.Output), TimeSpan.FromSeconds(15), () => $"No crash report:\n{appHost.Process.Output}");
        Assert.Contains("|", CrashReport().Match(appHost.Process.Output).Value, StringComparison.Ordinal);

        // SIGKILL: nobody can clean up but DCP, which watches the AppHost's process.
        Assert.Contains(processes, pid => Command.CommandLine(pid).Contains("dcp", StringComparison.Ordinal));
        // No container in this model: DCP was given the runtime that is not installed, so it ran no container tool
        // (AppHost/Extensions/ContainerRuntimeExtensions.cs). CI installs docker, so there it must be podman.
        var absent = Bookstore.AppHost.Extensions.ContainerRuntimeExtensions.AbsentRuntime(Environment.GetEnvironmentVariable("PATH"));
        Assert.NotNull(absent);
        Assert.Contains(processes.Select(Command.CommandLine), commandLine => commandLine.Contains("start-apiserver", StringComparison.Ordinal)
            && commandLine.Contains($"--container-runtime {absent} ", StringComparison.Ordinal));
        appHost.Process.Signal(ServiceProcess.SigKill);
        await Eventually.HoldsAsync(() => !processes.Any(BookstoreApp.IsRunning), TimeSpan.FromSeconds(30),
            () => $"Still running 30 s after SIGKILL: {string.Join(", ", processes.Where(BookstoreApp.IsRunning).Select(Command.CommandLine))}");
    }

    [Fact(Timeout = AspireApps.TestTimeout)]
    public async Task Sigterm_stops_every_process_and_exits_0()
    {
        await using var appHost = await AppHostProcess.StartAsync();
        var processes = appHost.AppProcesses();
        Assert.True(processes.Count >= 6, $"Expected the AppHost, DCP, the dashboard and both services, found: {string.Join(", ", processes.Select(Command.CommandLine))}");

        var stopwatch = Stopwatch.StartNew();
        appHost.Process.Signal(ServiceProcess.SigTerm);

        Assert.Equal(0, await appHost.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        await Eventually.HoldsAsync(() => !processes.Any(BookstoreApp.IsRunning), TimeSpan.FromSeconds(20),
            () => $"Still running {stopwatch.Elapsed} after SIGTERM: {string.Join(", ", processes.Where(BookstoreApp.IsRunning).Select(Command.CommandLine))}");
    }

    private const string WriteXorExecute = "DOTNET_EnableWriteXorExecute";

    [GeneratedRegex(@"Login to the dashboard at http://\S+/login\?t=\w+")]
    private static partial Regex DashboardLoginLine();

    [GeneratedRegex(@"Every resource is ready, \d+ ms after the AppHost started")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"recommendations \(recommendations-\w+\) exited with exit code -?\d+\. Its last \d+ lines:(\n.*\|.*)+")]
    private static partial Regex CrashReport();

    /// <summary>The AppHost's build output started as <c>dotnet run</c> would, with its launch profile's environment.</summary>
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
            // The launch profile's variables, but every port picked by DCP, so that a running copy of the app does not collide.
            var environment = LaunchProfileEnvironment("http");
            Assert.Equal("0", environment.GetValueOrDefault(WriteXorExecute));
            environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
            environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = "http://127.0.0.1:0";
            environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = "http://127.0.0.1:0";
            environment["DcpPublisher__RandomizePorts"] = "true";
            environment["Logging__Console__FormatterOptions__SingleLine"] = "false";
            var process = await ServiceProcess.StartAsync("Bookstore.AppHost", environment, readyLine: MarketplaceLine());
            return new AppHostProcess(process, process.BaseAddress);
        }

        /// <summary>The <c>environmentVariables</c> of one of Bookstore.AppHost/Properties/launchSettings.json's profiles.</summary>
        private static Dictionary<string, string> LaunchProfileEnvironment(string profile)
        {
            using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.ProjectDirectory("Bookstore.AppHost"), "Properties", "launchSettings.json")));
            return settings.RootElement.GetProperty("profiles").GetProperty(profile).GetProperty("environmentVariables")
                .EnumerateObject().ToDictionary(variable => variable.Name, variable => variable.Value.GetString()!, StringComparer.Ordinal);
        }

        /// <summary>
        /// Every process of this app: the AppHost, the DCP processes that watch it (they detach from it) and all that
        /// DCP started (dashboard, services, its own monitors).
        /// </summary>
        public IReadOnlyList<int> AppProcesses()
        {
            var roots = Command.ProcessIds().Where(pid => Command.CommandLine(pid).Contains($"--monitor {Process.ProcessId}", StringComparison.Ordinal)).Append(Process.ProcessId);
            return [.. roots.SelectMany(Command.WithDescendants).Distinct()];
        }

        public async ValueTask DisposeAsync()
        {
            var processes = Process.HasExited ? [] : AppProcesses();
            await Process.DisposeAsync();
            foreach (var pid in processes.Where(BookstoreApp.IsRunning))
            {
                try
                {
                    System.Diagnostics.Process.GetProcessById(pid).Kill();
                }
                catch (ArgumentException)
                {
                    // Gone in the meantime.
                }
            }
        }

        [GeneratedRegex(@"^\s*marketplace (?<url>http://\S+)", RegexOptions.Multiline)]
        private static partial Regex MarketplaceLine();
    }
}
