extern alias generator;
using System.Net;
using Bookstore.Tests.Fuzzing;
using Bookstore.Tests.Infrastructure;
using KeyRing = generator::Bookstore.DeploymentGenerator.KeyRing;

namespace Bookstore.Tests.Security;

/// <summary>
/// The deployments run several Marketplace replicas behind one Service: a rating form rendered by one must be accepted
/// by another. With the same key ring file (what the deployments mount) it is; with different ones it is refused, as
/// it was before the key ring was shared. A ring without a key valid now stops the start, saying why.
/// </summary>
public sealed class SharedKeyRingTests(RunningServices services) : IDisposable
{
    // Each test's key rings, deleted after it (xUnit makes one instance of the class per test).
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("bookstore-keyring-");

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_form_rendered_by_one_replica_is_saved_by_another_with_the_same_key_ring_and_refused_with_another()
    {
        var shared = Path.Combine(_folder.FullName, "shared.xml");
        var other = Path.Combine(_folder.FullName, "other.xml");
        Assert.True(KeyRing.Ensure(shared, DateTimeOffset.UtcNow));
        Assert.True(KeyRing.Ensure(other, DateTimeOffset.UtcNow));

        await using var first = await StartAsync(shared);
        await using var second = await StartAsync(shared);
        await using var stranger = await StartAsync(other);

        using (var saved = await PostFormAsync(rendering: first, posting: second))
        {
            Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
            Assert.Equal("/books/2?rated=1", saved.Headers.Location?.OriginalString);
        }

        using var refused = await PostFormAsync(rendering: first, posting: stranger);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("This form has expired", await refused.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_ring_without_a_key_valid_now_stops_the_start_with_a_message_that_says_what_to_run()
    {
        var path = Path.Combine(_folder.FullName, "keyring.xml");
        KeyRing.Ensure(path, DateTimeOffset.UtcNow.AddYears(-2));   // its only key ended a year ago

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(path));

        Assert.Contains("holds no Data Protection key valid now: run scripts/generate-secrets.sh", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_generator_adds_a_key_only_when_the_newest_has_less_than_a_month_left_and_keeps_the_old_ones()
    {
        var path = Path.Combine(_folder.FullName, "keyring.xml");
        var now = DateTimeOffset.UtcNow;

        Assert.True(KeyRing.Ensure(path, now));
        Assert.False(KeyRing.Ensure(path, now.AddDays(300)));
        Assert.True(KeyRing.Ensure(path, now.AddDays(340)));
        Assert.Equal(2, new Marketplace.Security.KeyRingFile(path).GetAllElements().Count);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private Task<ServiceProcess> StartAsync(string keyRing) =>
        ServiceProcess.StartMarketplaceAsync(services.Recommendations.BaseAddress, new Dictionary<string, string> { ["DataProtection__KeyRingPath"] = keyRing });

    private static async Task<HttpResponseMessage> PostFormAsync(ServiceProcess rendering, ServiceProcess posting)
    {
        using var handler = new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false };
        using var http = new HttpClient(handler) { BaseAddress = rendering.BaseAddress };
        var antiforgery = await FormAndJsonBodies.ReadAntiforgeryAsync(http, Cancellation, "/books/2");
        Assert.False(string.IsNullOrEmpty(antiforgery.Token), "The book page has no antiforgery field.");

        using var form = new HttpRequestMessage(HttpMethod.Post, new Uri(posting.BaseAddress, "/books/2/rating"))
        {
            Content = new FormUrlEncodedContent([new("stars", "4"), new(antiforgery.FieldName, antiforgery.Token)]),
        };
        form.Headers.Add("Cookie", antiforgery.Cookie);
        return await http.SendAsync(form, Cancellation);
    }
}
