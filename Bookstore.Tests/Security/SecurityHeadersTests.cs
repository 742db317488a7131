using System.Net;
using Bookstore.Tests.Infrastructure;

namespace Bookstore.Tests.Security;

/// <summary>The security headers on every kind of Marketplace response, on the real process.</summary>
public sealed class SecurityHeadersTests(RunningServices services) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = services.Marketplace.BaseAddress };

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _http.Dispose();

    [Theory]
    [InlineData("/", HttpStatusCode.OK)]
    [InlineData("/category/self-help", HttpStatusCode.OK)]
    [InlineData("/category/cookbooks", HttpStatusCode.NotFound)]
    [InlineData("/books/1", HttpStatusCode.OK)]
    [InlineData("/about.html", HttpStatusCode.OK)]
    [InlineData("/css/site.css", HttpStatusCode.OK)]
    [InlineData("/api/books/1", HttpStatusCode.OK)]
    [InlineData("/api/recommendations", HttpStatusCode.BadRequest)]
    [InlineData("/no-such-page", HttpStatusCode.NotFound)]
    public async Task Every_response_of_ours_has_a_strict_policy(string path, HttpStatusCode status)
    {
        using var response = await _http.GetAsync(path, Cancellation);

        Assert.Equal(status, response.StatusCode);
        AssertCommonHeaders(response);
        var csp = Header(response, "Content-Security-Policy");
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        // HSTS only where the response went over TLS: this one did not.
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Theory]
    [InlineData("/scalar/v1")]
    [InlineData("/swagger/index.html")]
    public async Task The_api_reference_pages_of_the_libraries_get_their_own_policy_still_without_framing(string path)
    {
        using var response = await _http.GetAsync(path, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertCommonHeaders(response);
        var csp = Header(response, "Content-Security-Policy");
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
    }

    private static void AssertCommonHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("strict-origin-when-cross-origin", Header(response, "Referrer-Policy"));
        Assert.False(response.Headers.Contains("Server"), "The Server header names the web server to an attacker.");
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"{response.RequestMessage?.RequestUri} has no {name} header.");
}
