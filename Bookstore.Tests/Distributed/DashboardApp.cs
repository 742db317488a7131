using System.Net.Http.Headers;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Bookstore.Tests.Distributed;

/// <summary>The app with Aspire's dashboard, started once for the tests of a class that only read from it.</summary>
public sealed class DashboardApp : IAsyncLifetime
{
    public DistributedApplication App { get; private set; } = null!;

    /// <summary>The dashboard's login URL with its browser token (<c>/login?t=...</c>).</summary>
    public Uri LoginUrl { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        App = await BookstoreApp.StartAsync(dashboard: true);
        LoginUrl = await App.GetDashboardUrlAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();

    /// <summary>
    /// GET on the dashboard's telemetry HTTP API (<c>/api/telemetry/...</c>, OTLP JSON), with the API key the AppHost
    /// generated for this run (<c>AppHost:DashboardApiKey</c>).
    /// </summary>
    public async Task<JsonDocument> TelemetryAsync(string pathAndQuery)
    {
        using var http = new HttpClient { BaseAddress = new Uri(LoginUrl.GetLeftPart(UriPartial.Authority)) };
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Add("x-api-key", App.Services.GetRequiredService<IConfiguration>()["AppHost:DashboardApiKey"]);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {pathAndQuery}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }
}
