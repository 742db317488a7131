using System.Net;
using System.Net.Sockets;
using Bookstore.ServiceDefaults.ServiceDiscovery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bookstore.Tests.Unit;

public sealed class ReplicaFailoverTests
{
    private static readonly Uri[] Replicas = [new("http://127.0.0.1:1001"), new("http://127.0.0.1:1002"), new("http://127.0.0.1:1003")];

    [Fact]
    public void Picks_round_robin()
    {
        var cooldowns = new ReplicaCooldowns(new ManualTime());

        var picked = Enumerable.Range(0, 6).Select(_ => cooldowns.Pick(Replicas).Port).ToList();

        Assert.Equal(2, picked.Count(port => port == 1001));
        Assert.Equal(2, picked.Count(port => port == 1002));
        Assert.Equal(2, picked.Count(port => port == 1003));
    }

    [Fact]
    public void A_replica_that_refused_is_skipped_until_its_cooldown_ends()
    {
        var time = new ManualTime();
        var cooldowns = new ReplicaCooldowns(time);

        cooldowns.CoolDown(Replicas[1]);

        Assert.DoesNotContain(1002, Enumerable.Range(0, 30).Select(_ => cooldowns.Pick(Replicas).Port));
        time.Advance(ReplicaCooldowns.CooldownPeriod);
        Assert.Contains(1002, Enumerable.Range(0, 3).Select(_ => cooldowns.Pick(Replicas).Port));
    }

    [Fact]
    public void When_every_replica_is_cooling_one_is_still_tried()
    {
        var cooldowns = new ReplicaCooldowns(new ManualTime());
        foreach (var replica in Replicas)
        {
            cooldowns.CoolDown(replica);
        }

        Assert.Contains(cooldowns.Pick(Replicas), Replicas);
    }

    [Fact]
    public async Task A_host_name_counts_as_every_address_dns_gives_and_an_ip_as_itself()
    {
        var cooldowns = new ReplicaCooldowns(new ManualTime());

        var expanded = await cooldowns.ExpandAsync(new Uri("http://localhost:8080"), TestContext.Current.CancellationToken);
        var literal = await cooldowns.ExpandAsync(new Uri("http://127.0.0.1:8080"), TestContext.Current.CancellationToken);

        Assert.Contains(new Uri("http://127.0.0.1:8080"), expanded);
        Assert.All(expanded, uri => Assert.Equal(8080, uri.Port));
        Assert.Equal([new Uri("http://127.0.0.1:8080")], literal);
    }

    [Fact]
    public async Task Through_service_discovery_a_retry_never_goes_back_to_a_replica_that_refused()
    {
        await using var live = await StartEchoServerAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:catalog:http:0"] = $"http://127.0.0.1:{ClosedPort()}",
            ["services:catalog:http:1"] = live.Urls.Single(),
        });
        builder.AddServiceDefaults();
        using var host = builder.Build();
        var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient();

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("live", await http.GetStringAsync("http://catalog/", TestContext.Current.CancellationToken));
        }
    }

    private static async Task<WebApplication> StartEchoServerAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/", () => "live");
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
