using Bookstore.Hosting.Testing;
using Bookstore.Tests.Distributed;
using Bookstore.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Bookstore.Tests.Browser;

/// <summary>The dashboard in a real browser: Debian's Chromium driven by Playwright (scripts/test.sh installs it).</summary>
public sealed class DashboardBrowserTests
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private static string Screenshots => Path.Combine(RepoPaths.Root, "TestResults", "screenshots");

    [Fact]
    public async Task Log_in_see_resources_a_trace_across_both_services_logs_metrics_console_then_stop_and_start()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Bookstore_AppHost>(cancellationToken: TestContext.Current.CancellationToken);
        builder.Options.DashboardPort = 0;
        await using var app = await builder.BuildAsync(TestContext.Current.CancellationToken);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var login = app.DashboardLoginUrl!;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Args = ChromiumArgs });

        // Without the token's cookie every page goes to the login page, and a wrong token is refused.
        var stranger = await browser.NewPageAsync();
        await stranger.GotoAsync(new Uri(login, "/").ToString());
        Assert.Equal("/login", new Uri(stranger.Url).AbsolutePath);
        var refused = await stranger.GotoAsync(new Uri(login, "/login?t=wrong").ToString());
        Assert.Equal(401, refused!.Status);

        var page = await browser.NewPageAsync();
        await page.GotoAsync(login.ToString());
        var recommendations = page.Locator("tr[data-resource=recommendations]");
        await Assertions.Expect(recommendations.Locator("td.state")).ToHaveTextAsync("Healthy");
        await Assertions.Expect(page.Locator("tr[data-resource=marketplace] td.state")).ToHaveTextAsync("Healthy");
        await Assertions.Expect(page.Locator("tr[data-resource=marketplace] td.env")).ToContainTextAsync("OTEL_EXPORTER_OTLP_HEADERS=••••••");
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "resources.png"), FullPage = true });

        // One home page request: its trace shows up live, across both services.
        using (var http = app.CreateHttpClient(BookstoreApp.Marketplace))
        {
            Assert.Equal(3, BookstoreApp.CountBooks(await http.GetStringAsync("/", TestContext.Current.CancellationToken)));
        }

        await page.GotoAsync(new Uri(login, "/traces").ToString());
        var row = page.Locator("tr[data-trace]", new() { HasText = "marketplace, recommendations" }).First;
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "traces.png"), FullPage = true });
        await row.Locator("a").ClickAsync();
        await Assertions.Expect(page.Locator("tr.span[data-resource=recommendations]").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("tr.span[data-resource=marketplace]").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "trace.png"), FullPage = true });

        await page.GotoAsync(new Uri(login, "/logs?resource=recommendations").ToString());
        await Assertions.Expect(page.Locator("table.logs tbody tr", new() { HasText = "/Recommendations/Recommend" }).First).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "structured-logs.png"), FullPage = true });

        await page.GotoAsync(new Uri(login, "/metrics?resource=recommendations").ToString());
        await Assertions.Expect(page.Locator(".instrument[data-instrument='rpc.server.calls'] svg.chart")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator(".instrument[data-instrument='rpc.server.call.duration'] .p99 svg.chart")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator(".instrument[data-instrument='rpc.server.call.duration'] .rate svg.chart")).ToBeVisibleAsync();
        // The page is long (the runtime's instruments too): the screenshot shows request rate and latency once two
        // exports (a second apart) give them an interval.
        var requests = page.Locator(".instrument[data-instrument='http.server.request.duration']");
        await Assertions.Expect(requests.Locator(".p99")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"latest \d"), new() { Timeout = 15_000 });
        await requests.ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "metrics.png") });

        await page.GotoAsync(new Uri(login, "/console?resource=recommendations&replica=0").ToString());
        await Assertions.Expect(page.Locator("pre.console")).ToContainTextAsync("Now listening on");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "console-logs.png"), FullPage = true });

        // Stop and start Recommendations from the Resources page; the state changes live.
        await page.GotoAsync(new Uri(login, "/").ToString());
        await recommendations.Locator("button[name=stop]").ClickAsync();
        await Assertions.Expect(page.Locator("tr[data-resource=recommendations] td.state")).ToHaveTextAsync("Exited", new() { Timeout = 15_000 });
        Assert.Equal(Hosting.Orchestration.ReplicaState.Exited, app.GetReplicas(BookstoreApp.Recommendations)[0].State);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "resources-stopped.png"), FullPage = true });

        await page.Locator("tr[data-resource=recommendations] button[name=start]").ClickAsync();
        await Assertions.Expect(page.Locator("tr[data-resource=recommendations] td.state")).ToHaveTextAsync("Healthy", new() { Timeout = 15_000 });
    }
}
