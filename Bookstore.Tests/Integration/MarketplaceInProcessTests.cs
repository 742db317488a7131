using System.Net;
using System.Text.RegularExpressions;
using Bookstore.Marketplace.Recommending;
using Bookstore.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Bookstore.Tests.Integration;

/// <summary>
/// The Marketplace hosted in the test process (WebApplicationFactory) against the real Recommendations process: the same
/// journeys as the process tests, where the coverage report can see the Marketplace's code run.
/// </summary>
public sealed partial class MarketplaceInProcessTests(RunningServices services) : IDisposable
{
    private readonly WebApplicationFactory<BookRecommender> _marketplace = new WebApplicationFactory<BookRecommender>().WithWebHostBuilder(host =>
    {
        host.UseEnvironment("Production");
        host.UseSetting("services:recommendations:http:0", services.Recommendations.BaseAddress.ToString().TrimEnd('/'));
    });

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _marketplace.Dispose();

    [Fact]
    public async Task A_visitor_browses_rates_and_reads_the_api()
    {
        using var http = _marketplace.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        var home = await http.GetStringAsync("/", Cancellation);
        Assert.Equal(3, Regex.Count(home, "<li data-book-id="));
        var book = await http.GetStringAsync("/books/21", Cancellation);
        Assert.Contains("Foundation", book, StringComparison.Ordinal);

        using var rated = await http.PostAsync("/books/21/rating", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", WebUtility.HtmlDecode(Token().Match(book).Groups["token"].Value)),
            new("stars", "5"),
        ]), Cancellation);
        Assert.Equal(HttpStatusCode.Redirect, rated.StatusCode);
        Assert.Contains("Your rating: 5 of 5.", await http.GetStringAsync("/books/21?rated=1", Cancellation), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/recommendations?category=science-fiction", Cancellation)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/recommendations?category=poetry", Cancellation)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/books/21", Cancellation)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/category/poetry", Cancellation)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/openapi/v1.json", Cancellation)).StatusCode);
    }

    [Fact]
    public void Calls_fail_over_fast_unless_configuration_says_otherwise()
    {
        var defaults = _marketplace.Services.GetRequiredService<IOptionsMonitor<HttpStandardResilienceOptions>>().Get(null);
        Assert.Equal(TimeSpan.FromSeconds(1), defaults.AttemptTimeout.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(3), defaults.TotalRequestTimeout.Timeout);
        Assert.Equal(2, defaults.Retry.MaxRetryAttempts);

        using var slower = _marketplace.WithWebHostBuilder(host =>
        {
            host.UseSetting("Recommendations:Resilience:AttemptTimeout:Timeout", "00:00:05");
            host.UseSetting("Recommendations:Resilience:TotalRequestTimeout:Timeout", "00:00:12");
            host.UseSetting("Recommendations:Resilience:CircuitBreaker:SamplingDuration", "00:00:10");
        });
        var configured = slower.Services.GetRequiredService<IOptionsMonitor<HttpStandardResilienceOptions>>().Get(null);
        Assert.Equal(TimeSpan.FromSeconds(5), configured.AttemptTimeout.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(12), configured.TotalRequestTimeout.Timeout);
        Assert.Equal(2, configured.Retry.MaxRetryAttempts);   // what the section does not name keeps its default
    }

    [Fact]
    public void A_failover_setting_that_cannot_work_stops_the_start_with_the_reason()
    {
        // An attempt timeout longer than the total timeout and than half the circuit breaker's sampling duration.
        using var broken = _marketplace.WithWebHostBuilder(host => host.UseSetting("Recommendations:Resilience:AttemptTimeout:Timeout", "00:00:30"));
        var error = Assert.Throws<OptionsValidationException>(() => broken.Services);
        Assert.Contains("Total request timeout resilience strategy must have a greater timeout than the attempt", error.Message, StringComparison.Ordinal);
        Assert.Contains("sampling duration of circuit breaker strategy needs to be at least double", error.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"(?<token>[^\"]+)\"")]
    private static partial Regex Token();
}
