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
/// A host name that DNS answers with several addresses (a headless Kubernetes Service, a scaled Compose service)
/// counts as that many replicas, so calls spread over every pod instead of sticking to one connection.
/// </summary>
public sealed class ReplicaFailoverHandler(ServiceEndpointResolver resolver, ReplicaCooldowns cooldowns) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var original = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        var source = await resolver.GetEndpointsAsync(original.GetLeftPart(UriPartial.Authority), cancellationToken);
        var candidates = new List<Uri>();
        // Over TLS, the name each address was found under: the server's certificate is checked against that name.
        var names = original.Scheme == Uri.UriSchemeHttps ? new Dictionary<string, string>() : null;
        foreach (var endpoint in source.Endpoints.Select(endpoint => ToAuthority(endpoint.EndPoint, original)).OfType<Uri>())
        {
            foreach (var address in await cooldowns.ExpandAsync(endpoint, cancellationToken))
            {
                candidates.Add(address);
                if (names is not null)
                {
                    names[address.Authority] = endpoint.Authority;
                }
            }
        }

        if (candidates.Count == 0)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var target = cooldowns.Pick(candidates);
        request.RequestUri = new UriBuilder(original) { Host = target.Host, Port = target.Port }.Uri;
        var host = request.Headers.Host;
        if (names is not null && names[target.Authority] != target.Authority)
        {
            // Connect to the address, but send the name as Host: the handler uses it for SNI and to match the certificate.
            request.Headers.Host = names[target.Authority];
        }

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
            request.Headers.Host = host;
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
    public static readonly TimeSpan DnsTimeToLive = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (DateTimeOffset Expires, IPAddress[] Addresses)> _dns = new();

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

    /// <summary>
    /// The replicas behind one address: a literal IP is one; a host name is every address DNS gives for it
    /// (looked up again after <see cref="DnsTimeToLive"/>), or the name itself when DNS has no answer.
    /// </summary>
    public async ValueTask<IReadOnlyList<Uri>> ExpandAsync(Uri address, CancellationToken cancellationToken)
    {
        if (address.HostNameType != UriHostNameType.Dns)
        {
            return [address];
        }

        var now = time.GetUtcNow();
        if (!_dns.TryGetValue(address.Host, out var cached) || cached.Expires <= now)
        {
            IPAddress[] found;
            try
            {
                found = await Dns.GetHostAddressesAsync(address.Host, cancellationToken);
            }
            catch (SocketException)
            {
                found = [];
            }

            cached = (now + DnsTimeToLive, found);
            _dns[address.Host] = cached;
        }

        return cached.Addresses.Length == 0
            ? [address]
            : [.. cached.Addresses.Select(ip => new UriBuilder(address) { Host = ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip.ToString() }.Uri)];
    }
}
