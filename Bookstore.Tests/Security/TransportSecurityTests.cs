using System.Net;
using System.Security.Cryptography.X509Certificates;
using Bookstore.AppHost.Certificates;
using Bookstore.Tests.Infrastructure;
using Bookstore.Tests.Integration;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bookstore.Tests.Security;

/// <summary>Certificates of a CA of the test's own, made by the AppHost's <see cref="CertificateIssuer"/>.</summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates()
    {
        Issuer = new CertificateIssuer(Directory.CreateTempSubdirectory("bookstore-certs-").FullName);
        Issuer.Ensure([("recommendations", true, ["localhost", "127.0.0.1"]), ("marketplace", false, ["marketplace"])]);
        Stranger = new CertificateIssuer(Directory.CreateTempSubdirectory("bookstore-other-ca-").FullName);
        Stranger.Ensure([("marketplace", false, ["marketplace"])]);
    }

    public CertificateIssuer Issuer { get; }

    /// <summary>Another CA, with a client certificate of the same name.</summary>
    public CertificateIssuer Stranger { get; }

    public X509Certificate2 Authority => X509CertificateLoader.LoadCertificateFromFile(Issuer.CaCertificatePath);

    public static X509Certificate2 Client(CertificateIssuer issuer) => X509Certificate2.CreateFromPemFile(issuer.CertificatePath("marketplace"), issuer.KeyPath("marketplace"));

    public Dictionary<string, string> ServerEnvironment(string mode) => new()
    {
        ["ASPNETCORE_URLS"] = "https://127.0.0.1:0",
        ["TransportSecurity__Mode"] = mode,
        ["TransportSecurity__CaPath"] = Issuer.CaCertificatePath,
        ["Kestrel__Certificates__Default__Path"] = Issuer.CertificatePath("recommendations"),
        ["Kestrel__Certificates__Default__KeyPath"] = Issuer.KeyPath("recommendations"),
    };

    public void Dispose()
    {
        Directory.Delete(Issuer.Folder, recursive: true);
        Directory.Delete(Stranger.Folder, recursive: true);
    }
}

/// <summary>Recommendations under mutual TLS, on the real process: who gets in and who is refused.</summary>
public sealed class MutualTlsTests(TestCertificates certificates) : IClassFixture<TestCertificates>, IAsyncLifetime
{
    private ServiceProcess _recommendations = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _recommendations = await ServiceProcess.StartRecommendationsAsync(certificates.ServerEnvironment("Mutual"));

    public async ValueTask DisposeAsync() => await _recommendations.DisposeAsync();

    [Fact]
    public async Task A_client_with_a_certificate_of_the_app_ca_gets_books()
    {
        Assert.Equal(3, await RecommendAsync(Channel(certificates.Authority, TestCertificates.Client(certificates.Issuer))));
    }

    [Fact]
    public async Task A_client_without_a_certificate_gets_unauthenticated()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => RecommendAsync(Channel(certificates.Authority, client: null)));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("client certificate", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_certificate_of_another_ca_is_refused_in_the_handshake_and_logged_without_secrets()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => RecommendAsync(Channel(certificates.Authority, TestCertificates.Client(certificates.Stranger))));

        AssertRefusedInHandshake(error);
        await WaitForLogAsync("Refused a client certificate", "it is not issued by the app's certificate authority");
        Assert.DoesNotContain("PRIVATE KEY", _recommendations.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_client_certificate_is_refused()
    {
        var now = DateTimeOffset.UtcNow;
        using var expired = certificates.Issuer.IssueFor("marketplace", server: false, ["marketplace"], now.AddDays(-10), now.AddMinutes(-1));

        var error = await Assert.ThrowsAsync<RpcException>(() => RecommendAsync(Channel(certificates.Authority, expired)));

        AssertRefusedInHandshake(error);
        await WaitForLogAsync("Refused a client certificate", "it is expired or not yet valid");
    }

    [Fact]
    public async Task A_server_certificate_is_not_accepted_as_a_client_certificate()
    {
        using var server = X509Certificate2.CreateFromPemFile(certificates.Issuer.CertificatePath("recommendations"), certificates.Issuer.KeyPath("recommendations"));

        var error = await Assert.ThrowsAsync<RpcException>(() => RecommendAsync(Channel(certificates.Authority, server)));

        AssertRefusedInHandshake(error);
    }

    [Fact]
    public async Task A_probe_without_a_certificate_gets_health_over_http11_and_tls()
    {
        using var http = new HttpClient(TrustingHandler(certificates.Authority, client: null)) { DefaultRequestVersion = HttpVersion.Version11 };

        using var response = await http.GetAsync(new Uri(_recommendations.BaseAddress, "/health"), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version11, response.Version);
    }

    [Fact]
    public async Task The_marketplace_calls_it_with_its_client_certificate_and_shows_books()
    {
        await using var marketplace = await ServiceProcess.StartMarketplaceAsync(LocalhostAddress(), new Dictionary<string, string>
        {
            ["TransportSecurity__Mode"] = "Mutual",
            ["TransportSecurity__CaPath"] = certificates.Issuer.CaCertificatePath,
            ["TransportSecurity__ClientCertificatePath"] = certificates.Issuer.CertificatePath("marketplace"),
            ["TransportSecurity__ClientKeyPath"] = certificates.Issuer.KeyPath("marketplace"),
        });
        using var http = new HttpClient { BaseAddress = marketplace.BaseAddress };

        // The first page can come before the Marketplace's first call to Recommendations has its connection (both TLS
        // handshakes and the JIT of both sides, cold), and that call has a 2 s deadline: in one CI run of the whole
        // suite (2026-12-01) the first page showed the notice instead of books (not reproduced alone, nor beside two
        // busy loops, eight runs). Books must come, within a bound; the message carries both services' logs.
        await Eventually.HoldsAsync(
            async () => Distributed.BookstoreApp.CountBooks(await http.GetStringAsync("/", Cancellation)) == 3,
            TimeSpan.FromSeconds(20),
            () => $"No page with books within 20 s. The Marketplace's output:\n{marketplace.Output}\nRecommendations':\n{_recommendations.Output}");

        Assert.DoesNotContain("Refused a client certificate", _recommendations.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_marketplace_without_its_client_certificate_shows_the_notice_not_an_error()
    {
        await using var marketplace = await ServiceProcess.StartMarketplaceAsync(LocalhostAddress(), new Dictionary<string, string>
        {
            ["TransportSecurity__Mode"] = "Tls",
            ["TransportSecurity__CaPath"] = certificates.Issuer.CaCertificatePath,
        });
        using var http = new HttpClient { BaseAddress = marketplace.BaseAddress };

        using var response = await http.GetAsync("/", Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(Distributed.BookstoreApp.Notice, await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_tutorials_python_client_works_with_the_ca_and_a_client_certificate()
    {
        var issuer = certificates.Issuer;
        var lines = await SeedClientTests.RunAsync($"127.0.0.1:{_recommendations.BaseAddress.Port}",
            issuer.CaCertificatePath, issuer.KeyPath("marketplace"), issuer.CertificatePath("marketplace"));

        SeedClientTests.AssertThreeBooksOfEachCategory(lines);
    }

    /// <summary>The service by the name its certificate carries (Kestrel listens on 127.0.0.1; localhost resolves to it).</summary>
    private Uri LocalhostAddress() => new($"https://localhost:{_recommendations.BaseAddress.Port}");

    private GrpcChannel Channel(X509Certificate2 authority, X509Certificate2? client) =>
        GrpcChannel.ForAddress(_recommendations.BaseAddress, new GrpcChannelOptions { HttpHandler = TrustingHandler(authority, client) });

    internal static SocketsHttpHandler TrustingHandler(X509Certificate2 authority, X509Certificate2? client)
    {
        var handler = new SocketsHttpHandler();
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(authority);
        handler.SslOptions.CertificateChainPolicy = policy;
        if (client is not null)
        {
            handler.SslOptions.ClientCertificates = [client];
        }

        return handler;
    }

    /// <summary>
    /// Under TLS 1.3 the client finishes its side of the handshake before the server checks the client certificate, so
    /// the refusal reaches the client as a connection closed before the server's HTTP/2 preface. SocketsHttpHandler
    /// usually reports that with an IOException inside (grpc-dotnet 2.85: UNAVAILABLE) and now and then without one
    /// (grpc-dotnet: INTERNAL; 2 of 300 calls in a probe, and once in CI). What is certain is the handshake, not the code.
    /// </summary>
    private static void AssertRefusedInHandshake(RpcException error)
    {
        Assert.Contains(error.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });
        Assert.Contains("the server did not complete the HTTP/2 handshake", error.Status.Detail, StringComparison.Ordinal);
    }

    private static async Task<int> RecommendAsync(GrpcChannel channel)
    {
        using (channel)
        {
            var response = await Http2.RecommendationsClient(channel).RecommendAsync(
                new Protos.RecommendationRequest { UserId = 1, Category = Protos.BookCategory.Mystery, MaxResults = 3 }, cancellationToken: Cancellation);
            return response.Recommendations.Count;
        }
    }

    // Console output reaches us a moment after the handshake failed: wait for the line (bounded).
    private Task WaitForLogAsync(params string[] parts) => Eventually.HoldsAsync(
        () => _recommendations.Output.Split('\n').Any(line => parts.All(part => line.Contains(part, StringComparison.Ordinal))),
        TimeSpan.FromSeconds(10),
        () => $"No log line with {string.Join(" and ", parts)}:\n{_recommendations.Output}");
}

/// <summary>Recommendations under TLS without client certificates: a client must trust the app's CA to get in.</summary>
public sealed class TlsTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_client_that_trusts_the_app_ca_gets_books_and_one_that_does_not_is_refused()
    {
        await using var recommendations = await ServiceProcess.StartRecommendationsAsync(certificates.ServerEnvironment("Tls"));
        var request = new Protos.RecommendationRequest { UserId = 1, Category = Protos.BookCategory.Mystery, MaxResults = 3 };

        using (var trusting = GrpcChannel.ForAddress(recommendations.BaseAddress, new GrpcChannelOptions { HttpHandler = MutualTlsTests.TrustingHandler(certificates.Authority, client: null) }))
        {
            var response = await Http2.RecommendationsClient(trusting).RecommendAsync(request, cancellationToken: Cancellation);
            Assert.Equal(3, response.Recommendations.Count);
        }

        // The machine's trust store does not know the app's CA.
        using var stranger = GrpcChannel.ForAddress(recommendations.BaseAddress, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler() });
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Http2.RecommendationsClient(stranger).RecommendAsync(request, cancellationToken: Cancellation));
        // grpc-dotnet reports a handshake its own validation failed as INTERNAL.
        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Contains("The SSL connection could not be established", error.Status.Detail, StringComparison.Ordinal);
    }
}
