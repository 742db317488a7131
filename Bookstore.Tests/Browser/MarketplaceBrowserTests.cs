using Bookstore.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Bookstore.Tests.Browser;

/// <summary>
/// The Marketplace's pages in Chromium under their Content-Security-Policy: each renders, and the browser reports no
/// violation of the policy (a blocked script, style or form would show up in the console as one).
/// </summary>
public sealed class MarketplaceBrowserTests(RunningServices services)
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    [Fact]
    public async Task Pages_render_and_rate_with_no_policy_violation_in_the_console()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Args = ChromiumArgs });
        var page = await browser.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (violations)
                {
                    violations.Add($"{page.Url}: {message.Text}");
                }
            }
        };
        var site = services.Marketplace.BaseAddress;

        await page.GotoAsync(new Uri(site, "/").ToString());
        await Assertions.Expect(page).ToHaveTitleAsync("Online Books For You");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Mystery books you may like");
        await Assertions.Expect(page.Locator("li")).ToHaveCountAsync(3);
        // The style sheet applied (a blocked one would leave the browser's default font).
        Assert.StartsWith("system-ui", await page.Locator("body").EvaluateAsync<string>("b => getComputedStyle(b).fontFamily"), StringComparison.Ordinal);

        await page.GotoAsync(new Uri(site, "/category/self-help").ToString());
        await page.Locator("li a").First.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/books/[0-9]+$"));
        // The rating form posts to the site itself (form-action 'self') and comes back with the saved rating.
        await page.Locator("input[name=stars][value='4']").CheckAsync();
        await page.Locator("form button[type=submit], form input[type=submit]").First.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("rated=1"));

        await page.GotoAsync(new Uri(site, "/about.html").ToString());
        await Assertions.Expect(page.Locator("body")).Not.ToBeEmptyAsync();

        // The API reference pages: the libraries' own pages run their scripts and show the API.
        await page.GotoAsync(new Uri(site, "/scalar/v1").ToString());
        await Assertions.Expect(page.GetByText("/api/books/{id}").First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 20_000 });
        await page.GotoAsync(new Uri(site, "/swagger/index.html").ToString());
        await Assertions.Expect(page.GetByText("/api/books/{id}").First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 20_000 });

        lock (violations)
        {
            Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
        }
    }
}
