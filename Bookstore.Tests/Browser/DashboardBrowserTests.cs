using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using Bookstore.Tests.Distributed;
using Bookstore.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Bookstore.Tests.Browser;

/// <summary>
/// The real Aspire dashboard in a real browser: Debian's Chromium driven by Playwright (scripts/test.sh installs it).
/// The pages update live, so every step waits on what the page shows (Playwright's web-first assertions re-query their
/// locator until it holds), never on a fixed sleep or on an element a live update may have replaced.
/// </summary>
[Collection(AspireApps.Name)]
public sealed partial class DashboardBrowserTests
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private static readonly LocatorAssertionsToHaveAttributeOptions Patiently = new() { Timeout = 20_000 };

    private static string Screenshots => Path.Combine(RepoPaths.Root, "TestResults", "screenshots");

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = AspireApps.TestTimeout)]
    public async Task Log_in_see_both_resources_healthy_a_trace_across_both_services_their_logs_then_stop_and_start_recommendations()
    {
        await using var fixture = new DashboardApp();
        await fixture.InitializeAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Args = ChromiumArgs });
        Directory.CreateDirectory(Screenshots);

        // Without the token every page goes to the login page, and a wrong token does not get past it.
        var stranger = await browser.NewPageAsync();
        await stranger.GotoAsync(new Uri(fixture.LoginUrl, "/").ToString());
        await Assertions.Expect(stranger).ToHaveURLAsync(LoginPage());
        await stranger.GetByRole(AriaRole.Textbox).FillAsync("wrong-token");
        await stranger.Locator("fluent-button[type=submit]").ClickAsync();
        await Assertions.Expect(stranger).ToHaveURLAsync(LoginPage());
        await Assertions.Expect(stranger.Locator("td[aria-label='Project: recommendations']")).ToHaveCountAsync(0);

        // With it: the Resources page, both projects running and healthy (a green check beside "Running").
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 800 } });
        await page.GotoAsync(fixture.LoginUrl.ToString());
        foreach (var resource in new[] { BookstoreApp.Recommendations, BookstoreApp.Marketplace })
        {
            await Assertions.Expect(State(page, resource)).ToHaveAttributeAsync("aria-label", "Running", Patiently);
            await Assertions.Expect(State(page, resource).Locator("svg.severity-icon[style*='--success']")).ToBeVisibleAsync();
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "dashboard-resources.png") });

        // One home page: its trace shows up live, with spans of both services.
        using (var http = fixture.App.CreateHttpClient(BookstoreApp.Marketplace))
        {
            Assert.Equal(3, BookstoreApp.CountBooks(await http.GetStringAsync("/", Cancellation)));
        }

        await page.GotoAsync(new Uri(fixture.LoginUrl, "/traces").ToString());
        var trace = page.Locator("tr").Filter(new LocatorFilterOptions { HasText = "marketplace: GET /" })
            .Filter(new LocatorFilterOptions { HasText = "recommendations (1)" }).First;
        await Assertions.Expect(trace).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 20_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "dashboard-traces.png") });
        await trace.GetByText("marketplace: GET /").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(TraceDetailPage());
        await Assertions.Expect(page.GetByText("Recommendations/Recommend").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync(BookstoreApp.Recommendations);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "dashboard-trace.png") });

        // Recommendations' structured logs: the line each call writes.
        await page.GotoAsync(new Uri(fixture.LoginUrl, "/structuredlogs/resource/recommendations").ToString());
        await Assertions.Expect(page.GetByText(BookstoreApp.RecommendLogLine).First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 20_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "dashboard-structured-logs.png") });

        // Stop and start Recommendations from the Resources page; the home page follows.
        await page.GotoAsync(new Uri(fixture.LoginUrl, "/").ToString());
        await Row(page, BookstoreApp.Recommendations).GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Stop resource" }).ClickAsync();
        await Assertions.Expect(State(page, BookstoreApp.Recommendations)).ToHaveAttributeAsync("aria-label", StoppedState(), Patiently);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "dashboard-stopped.png") });
        using (var http = fixture.App.CreateHttpClient(BookstoreApp.Marketplace))
        {
            Assert.Contains(BookstoreApp.Notice, await http.GetStringAsync("/", Cancellation), StringComparison.Ordinal);
        }

        await Row(page, BookstoreApp.Recommendations).GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Start resource" }).ClickAsync();
        await Assertions.Expect(State(page, BookstoreApp.Recommendations)).ToHaveAttributeAsync("aria-label", "Running", Patiently);
        await Assertions.Expect(State(page, BookstoreApp.Recommendations).Locator("svg.severity-icon[style*='--success']")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 20_000 });
        using (var http = fixture.App.CreateHttpClient(BookstoreApp.Marketplace))
        {
            Assert.Equal(3, BookstoreApp.CountBooks(await http.GetStringAsync("/", Cancellation)));
        }
    }

    private static ILocator Row(IPage page, string resource) =>
        page.Locator("tr.resource-row").Filter(new LocatorFilterOptions { Has = page.Locator($"td[aria-label='Project: {resource}']") });

    private static ILocator State(IPage page, string resource) => Row(page, resource).Locator("td[col-index='2']");

    [GeneratedRegex("/login")]
    private static partial Regex LoginPage();

    [GeneratedRegex("/traces/detail/")]
    private static partial Regex TraceDetailPage();

    [GeneratedRegex("no longer running|^Finished|^Exited")]
    private static partial Regex StoppedState();
}
