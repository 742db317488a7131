using System.Net;
using System.Text.RegularExpressions;
using Bookstore.Tests.Infrastructure;

namespace Bookstore.Tests.Integration;

/// <summary>Book pages and the rating form on the real Marketplace and Recommendations processes.</summary>
public sealed partial class BookPageTests(RunningServices services)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Category_pages_link_every_book_to_its_page_with_author_and_rating()
    {
        using var http = Visitor(services.Marketplace);

        var page = await http.GetStringAsync("/category/science-fiction", Cancellation);

        var links = BookLink().Matches(page);
        Assert.Equal(3, links.Count);
        Assert.Equal(3, Regex.Count(page, "<span class=\"author\">by "));
        Assert.Equal(3, Regex.Count(page, "<span class=\"rating\">"));
        var book = await http.GetStringAsync(links[0].Groups["href"].Value, Cancellation);
        Assert.Contains("<form method=\"post\"", book, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_visitor_rates_a_book_and_sees_the_rating_on_its_page()
    {
        using var http = Visitor(services.Marketplace);
        var page = await http.GetStringAsync("/books/4", Cancellation);
        Assert.Contains("The Hitchhiker&#x27;s Guide to the Galaxy", page, StringComparison.Ordinal);
        Assert.Contains("by Douglas Adams", page, StringComparison.Ordinal);
        Assert.Contains("You have not rated this book yet.", page, StringComparison.Ordinal);

        using var response = await http.PostAsync("/books/4/rating", Form(page, stars: "4"), Cancellation);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/books/4?rated=1", response.Headers.Location?.OriginalString);
        var after = await http.GetStringAsync("/books/4?rated=1", Cancellation);
        Assert.Contains("Thank you: your rating is saved.", after, StringComparison.Ordinal);
        Assert.Contains("Your rating: 4 of 5.", after, StringComparison.Ordinal);
        Assert.Matches("[0-9]\\.[0-9] of 5 from [0-9]+ rating", after);
    }

    [Fact]
    public async Task The_form_without_its_antiforgery_token_is_refused_with_400_and_nothing_is_saved()
    {
        using var http = Visitor(services.Marketplace);
        var page = await http.GetStringAsync("/books/9", Cancellation);

        using var response = await http.PostAsync("/books/9/rating", new FormUrlEncodedContent([new("stars", "5")]), Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("This form has expired", await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        Assert.Contains("You have not rated this book yet.", await http.GetStringAsync("/books/9", Cancellation), StringComparison.Ordinal);
        Assert.Contains("You have not rated this book yet.", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("6")]
    [InlineData("five")]
    public async Task Stars_outside_one_to_five_are_refused_with_400(string stars)
    {
        using var http = Visitor(services.Marketplace);
        var page = await http.GetStringAsync("/books/8", Cancellation);

        using var response = await http.PostAsync("/books/8/rating", Form(page, stars), Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Pick 1 to 5 stars", await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_book_is_404()
    {
        using var http = Visitor(services.Marketplace);

        using var response = await http.GetAsync("/books/9999", Cancellation);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("No such book", await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_recommendations_down_the_form_says_it_cannot_save_and_nothing_is_half_saved()
    {
        await using var recommendations = await ServiceProcess.StartRecommendationsAsync();
        await using var marketplace = await ServiceProcess.StartMarketplaceAsync(recommendations.BaseAddress);
        using var http = Visitor(marketplace);
        var page = await http.GetStringAsync("/books/2", Cancellation);

        recommendations.Signal();
        Assert.Equal(0, await recommendations.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        using var response = await http.PostAsync("/books/2/rating", Form(page, stars: "5"), Cancellation);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("Your rating could not be saved right now", await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        using var bookPage = await http.GetAsync("/books/2", Cancellation);
        Assert.Equal(HttpStatusCode.OK, bookPage.StatusCode);
        Assert.Contains("This book cannot be shown right now", await bookPage.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
    }

    /// <summary>A browser-like client: keeps cookies (the visitor id, the antiforgery cookie), does not follow redirects.</summary>
    private static HttpClient Visitor(ServiceProcess marketplace) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = marketplace.BaseAddress };

    private static FormUrlEncodedContent Form(string page, string stars) => new(
    [
        new("__RequestVerificationToken", WebUtility.HtmlDecode(Token().Match(page).Groups["token"].Value)),
        new("stars", stars),
    ]);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"(?<token>[^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex("<a href=\"(?<href>/books/[0-9]+)\">")]
    private static partial Regex BookLink();
}
