using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bookstore.AppHost.Certificates;

/// <summary>
/// The app's own certificate authority and the certificates it issues, made with .NET's cryptography (ECDSA P-256,
/// CertificateRequest), kept as PEM files in one folder: <c>ca.crt</c>/<c>ca.key</c> and <c>{name}.crt</c>/<c>{name}.key</c>.
/// Files that are still good are reused; a certificate is issued again when it has less than <see cref="RenewBefore"/>
/// left, names other hosts than asked, or was issued by an older CA. Private keys are written readable by their owner
/// only, and never printed.
/// </summary>
public sealed class CertificateIssuer(string folder)
{
    public static readonly TimeSpan CaLifetime = TimeSpan.FromDays(365);
    public static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(90);
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(14);

    public string Folder { get; } = folder;

    public string CaCertificatePath => Path.Combine(Folder, "ca.crt");

    public string CertificatePath(string name) => Path.Combine(Folder, $"{name}.crt");

    public string KeyPath(string name) => Path.Combine(Folder, $"{name}.key");

    /// <summary>Makes sure the CA and a certificate per entry exist and are good; (re)issues what is not. Safe across processes.</summary>
    /// <param name="certificates">Name, whether it authenticates a server (else a client), and its DNS names and IP addresses.</param>
    /// <param name="now">The time to judge validity at (now unless a test says otherwise).</param>
    public void Ensure(IEnumerable<(string Name, bool Server, string[] Hosts)> certificates, DateTimeOffset? now = null)
    {
        Directory.CreateDirectory(Folder);
        var at = now ?? DateTimeOffset.UtcNow;
        using var exclusive = Lock();
        using var authority = EnsureAuthority(at);
        foreach (var (name, server, hosts) in certificates)
        {
            if (!IsGood(CertificatePath(name), KeyPath(name), at, authority, hosts))
            {
                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                using var issued = Issue(authority, key, name, server, hosts, at, at + LeafLifetime);
                Write(name, issued, key);
            }
        }
    }

    /// <summary>A certificate of this CA with any validity and usage, for tests of refusals (an expired one, say).</summary>
    public X509Certificate2 IssueFor(string name, bool server, string[] hosts, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var authority = X509Certificate2.CreateFromPemFile(CaCertificatePath, Path.Combine(Folder, "ca.key"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = Issue(authority, key, name, server, hosts, notBefore, notAfter);
        return issued.CopyWithPrivateKey(key);
    }

    private X509Certificate2 EnsureAuthority(DateTimeOffset now)
    {
        var certificate = CaCertificatePath;
        var keyPath = Path.Combine(Folder, "ca.key");
        if (File.Exists(certificate) && File.Exists(keyPath))
        {
            var existing = X509Certificate2.CreateFromPemFile(certificate, keyPath);
            if (existing.NotAfter - RenewBefore > now && existing.NotBefore <= now)
            {
                return existing;
            }

            existing.Dispose();
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Bookstore development CA, O=Bookstore", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now + CaLifetime);
        Write("ca", created, key);
        return X509Certificate2.CreateFromPemFile(certificate, keyPath);
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, ECDsa key, string name, bool server, string[] hosts, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest($"CN={name}, O=Bookstore", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            if (System.Net.IPAddress.TryParse(host, out var address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(host);
            }
        }

        request.CertificateExtensions.Add(names.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;   // a positive serial number
        // Within the CA's own validity (CertificateRequest refuses anything else).
        var start = notBefore > authority.NotBefore ? notBefore : new DateTimeOffset(authority.NotBefore);
        var end = notAfter < authority.NotAfter ? notAfter : new DateTimeOffset(authority.NotAfter);
        return request.Create(authority, start, end, serial);
    }

    private static bool IsGood(string certificatePath, string keyPath, DateTimeOffset now, X509Certificate2 authority, string[] hosts)
    {
        if (!File.Exists(certificatePath) || !File.Exists(keyPath))
        {
            return false;
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SingleOrDefault() is { } san
                ? san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(address => address.ToString())).ToHashSet(StringComparer.OrdinalIgnoreCase)
                : [];
            return certificate.NotAfter - RenewBefore > now && certificate.NotBefore <= now
                && certificate.Issuer == authority.Subject
                && certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().SingleOrDefault()?.KeyIdentifier?.Span.SequenceEqual(
                    authority.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.Span) == true
                && names.SetEquals(hosts);
        }
        catch (CryptographicException)
        {
            return false;   // unreadable or a key that does not match: issue again
        }
    }

    private void Write(string name, X509Certificate2 certificate, ECDsa key)
    {
        // Written beside, then moved over: a process that reads them never sees half a file.
        var keyPath = Path.Combine(Folder, $"{name}.key");
        var certificatePath = Path.Combine(Folder, $"{name}.crt");
        var keyTemporary = keyPath + ".new";
        File.WriteAllText(keyTemporary, string.Empty);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyTemporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(keyTemporary, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificatePath + ".new", certificate.ExportCertificatePem());
        File.Move(keyTemporary, keyPath, overwrite: true);
        File.Move(certificatePath + ".new", certificatePath, overwrite: true);
    }

    /// <summary>One process at a time (tests start several AppHosts): an exclusive lock file, waited for.</summary>
    private FileStream Lock()
    {
        var path = Path.Combine(Folder, ".lock");
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 200)
            {
                Thread.Sleep(50);
            }
        }
    }
}
