using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.ServiceDiscovery;

namespace Bookstore.ServiceDefaults.ServiceDiscovery;

/// <summary>
/// Service discovery for HTTP (and so gRPC) calls: resolves <c>http://recommendations</c> to the replicas that
/// configuration (<c>services__recommendations__http__0..N</c>) or DNS name, and picks one per attempt, round robin.
/// A replica that refused a connection is skipped for a short cooldown, so the resilience handler's retry goes to a
/// live replica, not by chance to the same dead one. (The library's own handler picks round robin blindly.)
/// </summary>
public sealed class ReplicaFailoverHandler(ServiceEndpointResolver resolver, ReplicaCooldowns cooldowns) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var original = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        var source = await resolver.GetEndpointsAsync(original.GetLeftPart(UriPartial.Authority), cancellationToken);
        var candidates = source.Endpoints.Select(endpoint => ToAuthority(endpoint.EndPoint, original)).OfType<Uri>().ToList();
        if (candidates.Count == 0)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var target = cooldowns.Pick(candidates);
        request.RequestUri = new UriBuilder(original) { Host = target.Host, Port = target.Port }.Uri;
        try
        {
            return await base.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError == HttpRequestError.ConnectionError)
        {
            cooldowns.CoolDown(target);
            throw;
        }
        finally
        {
            // The retry of the resilience handler sends this same message again: let it resolve afresh.
            request.RequestUri = original;
        }
    }

    private static Uri? ToAuthority(EndPoint endPoint, Uri original) => endPoint switch
    {
        IPEndPoint ip => new UriBuilder(original.Scheme, ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip.Address}]" : ip.Address.ToString(), PortOr(ip.Port, original)).Uri,
        DnsEndPoint dns => new UriBuilder(original.Scheme, dns.Host, PortOr(dns.Port, original)).Uri,
        _ => Uri.TryCreate(endPoint.ToString(), UriKind.Absolute, out var uri) ? uri : null,
    };

    private static int PortOr(int port, Uri original) => port > 0 ? port : original.Port;
}

/// <summary>Which replicas refused a connection recently, shared by every client of the process, and the round-robin position.</summary>
public sealed class ReplicaCooldowns(TimeProvider time)
{
    public static readonly TimeSpan CooldownPeriod = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _coolingUntil = new();
    private int _position;

    /// <summary>The next replica round robin, skipping cooling ones unless every replica is cooling.</summary>
    public Uri Pick(IReadOnlyList<Uri> replicas)
    {
        var now = time.GetUtcNow();
        var start = (int)((uint)Interlocked.Increment(ref _position) % (uint)replicas.Count);
        for (var offset = 0; offset < replicas.Count; offset++)
        {
            var candidate = replicas[(start + offset) % replicas.Count];
            if (!_coolingUntil.TryGetValue(candidate.Authority, out var until) || until <= now)
            {
                return candidate;
            }
        }

        return replicas[start];
    }

    public void CoolDown(Uri replica) => _coolingUntil[replica.Authority] = time.GetUtcNow() + CooldownPeriod;
}
