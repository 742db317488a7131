using System.Net;
using System.Text.RegularExpressions;
using Bookstore.Tests.Infrastructure;

namespace Bookstore.Tests.Integration;

/// <summary>The real Marketplace process, wired to a real Recommendations by <c>services__recommendations__http__0</c>.</summary>
public sealed partial class MarketplaceProcessTests(RunningServices services)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_home_page_shows_three_mystery_books()
    {
        using var http = new HttpClient { BaseAddress = services.Marketplace.BaseAddress };

        var page = await http.GetStringAsync("/", Cancellation);

        Assert.Contains("<title>Online Books For You</title>", page, StringComparison.Ordinal);
        Assert.Contains("Mystery books you may like", page, StringComparison.Ordinal);
        Assert.Equal(3, ListItem().Count(page));
        Assert.DoesNotContain("unavailable", page, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("science-fiction", "Science fiction books you may like")]
    [InlineData("self-help", "Self-help books you may like")]
    [InlineData("mystery", "Mystery books you may like")]
    public async Task Each_category_has_a_page(string slug, string heading)
    {
        using var http = new HttpClient { BaseAddress = services.Marketplace.BaseAddress };

        var page = await http.GetStringAsync($"/category/{slug}", Cancellation);

        Assert.Contains(heading, page, StringComparison.Ordinal);
        Assert.Equal(3, ListItem().Count(page));
    }

    [Fact]
    public async Task An_unknown_category_is_404_with_a_page_that_says_so()
    {
        using var http = new HttpClient { BaseAddress = services.Marketplace.BaseAddress };

        using var response = await http.GetAsync("/category/%3Cb%3Ecookbooks", Cancellation);
        var page = await response.Content.ReadAsStringAsync(Cancellation);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("No such category", page, StringComparison.Ordinal);
        // What the visitor typed comes back encoded, never as markup.
        Assert.Contains("&lt;b&gt;cookbooks", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_recommendations_stopped_the_page_still_answers_with_a_notice()
    {
        await using var recommendations = await ServiceProcess.StartRecommendationsAsync();
        await using var marketplace = await ServiceProcess.StartMarketplaceAsync(recommendations.BaseAddress);
        using var http = new HttpClient { BaseAddress = marketplace.BaseAddress };
        Assert.Equal(3, ListItem().Count(await http.GetStringAsync("/", Cancellation)));

        recommendations.Signal();
        Assert.Equal(0, await recommendations.WaitForExitAsync(TimeSpan.FromSeconds(10)));

        foreach (var path in new[] { "/", "/category/self-help" })
        {
            using var response = await http.GetAsync(path, Cancellation);
            var page = await response.Content.ReadAsStringAsync(Cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("Recommendations are unavailable right now", page, StringComparison.Ordinal);
            Assert.Equal(0, ListItem().Count(page));
        }

        Assert.Contains("are unavailable (Unavailable); showing the fallback notice", marketplace.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex("<li[ >]")]
    private static partial Regex ListItem();
}
