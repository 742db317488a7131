using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bookstore.ServiceDefaults.TransportSecurity;

/// <summary>
/// The app's own certificate authority as the one trust anchor of a TLS connection: a peer's certificate is good when
/// its chain ends at this CA (not at anything in the machine's trust store), it is valid now, and it is meant for the
/// use at hand (server or client authentication). .NET's X509Chain does the checking, with a custom root trust.
/// </summary>
public sealed class AppCertificateAuthority(X509Certificate2 authority)
{
    public static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    public static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    public X509Certificate2 Certificate { get; } = authority;

    public static AppCertificateAuthority Load(string path) => new(X509CertificateLoader.LoadCertificateFromFile(path));

    /// <summary>Null when <paramref name="certificate"/> chains to this CA, is valid now and allows <paramref name="usage"/>; else why not.</summary>
    public string? Problem(X509Certificate2 certificate, Oid usage, X509Certificate2Collection? intermediates = null)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        // A private CA publishes no revocation list; a certificate is replaced by issuing a new one (short lifetimes).
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(usage);
        if (intermediates is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        }

        if (chain.Build(certificate))
        {
            return null;
        }

        var reasons = chain.ChainStatus.Select(status => status.Status).Distinct().Select(status => status switch
        {
            X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain => "it is not issued by the app's certificate authority",
            X509ChainStatusFlags.NotTimeValid => "it is expired or not yet valid",
            X509ChainStatusFlags.NotValidForUsage => $"it is not meant for {usage.FriendlyName ?? usage.Value}",
            _ => status.ToString(),
        });
        return string.Join("; ", reasons);
    }

    /// <summary>What a log line may say about a certificate: its subject, issuer, expiry and SHA-256 thumbprint, never a key.</summary>
    public static string Describe(X509Certificate2 certificate) =>
        $"subject \"{certificate.Subject}\", issuer \"{certificate.Issuer}\", valid until {certificate.NotAfter:u}, SHA-256 {certificate.GetCertHashString(HashAlgorithmName.SHA256)}";
}
