using System.Collections.Immutable;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;

// IDeveloperCertificateService is marked experimental in Aspire 13.6 (ASPIRECERTIFICATES001): it is the one place where
// Aspire decides which certificate DCP gets. Should it change, this extension goes, and DCP makes its own again.
#pragma warning disable ASPIRECERTIFICATES001

namespace Bookstore.AppHost.Extensions;

public static class DcpCertificateExtensions
{
    /// <summary>
    /// Gives DCP's API server a certificate made once and kept (renewed a month before it expires) when there is no
    /// trusted ASP.NET Core development certificate.
    /// <para>
    /// Why: Aspire hands DCP the development certificate when it finds a trusted one; otherwise DCP generates a new TLS
    /// certificate for its API server at every start, 1.5 s of CPU here (measured on <c>dcp start-apiserver</c> alone),
    /// while the AppHost starts on the other core: 2-3 s of every start of a fresh machine's app and of every distributed
    /// test. The certificate serves only DCP's API on 127.0.0.1, between the AppHost and DCP; nothing else trusts it: it
    /// is not offered to the resources (no HTTPS, no trust injection) and the user's certificate stores are not touched.
    /// It lives in <c>~/.local/share/bookstore/dcp/</c> (readable by its owner only), never in the repository.
    /// </para>
    /// </summary>
    public static IDistributedApplicationBuilder UseKeptDcpCertificate(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        var aspires = builder.Services.LastOrDefault(service => service.ServiceType == typeof(IDeveloperCertificateService));
        if (aspires?.ImplementationType is not { } implementation)
        {
            return builder;
        }

        builder.Services.Remove(aspires);
        builder.Services.AddSingleton<IDeveloperCertificateService>(services =>
            new DcpCertificateService((IDeveloperCertificateService)ActivatorUtilities.CreateInstance(services, implementation)));
        return builder;
    }
}

/// <summary>Aspire's developer certificate service, with a kept certificate for DCP when it has none.</summary>
internal sealed class DcpCertificateService(IDeveloperCertificateService aspires) : IDeveloperCertificateService
{
    private const string DevelopmentCertificateOid = "1.3.6.1.4.1.311.84.1.1";
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    private readonly Lazy<ImmutableList<X509Certificate2>> _certificates = new(() =>
        aspires.Certificates.Count > 0 ? aspires.Certificates : [LoadOrCreate(CertificatePath)]);

    public static string CertificatePath { get; } = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "bookstore", "dcp", "apiserver.pfx");

    public ImmutableList<X509Certificate2> Certificates => _certificates.Value;

    // The kept certificate is DCP's only: resources get Aspire's answers, which are "no" without a developer certificate.
    public bool SupportsContainerTrust => aspires.SupportsContainerTrust;

    public bool UseForHttps => aspires.UseForHttps;

    public bool TrustCertificate => aspires.TrustCertificate && aspires.Certificates.Count > 0;

    public bool LatestCertificateIsUntrusted => aspires.LatestCertificateIsUntrusted;

    internal static X509Certificate2 LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            try
            {
                var kept = X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
                if (kept.HasPrivateKey && kept.NotAfter - RenewBefore > DateTime.Now)
                {
                    return kept;
                }

                kept.Dispose();
            }
            catch (CryptographicException)
            {
                // Unreadable: made again below.
            }
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        // The mark of an ASP.NET Core development certificate: Aspire passes only such a certificate on to DCP.
        request.CertificateExtensions.Add(new X509Extension(new Oid(DevelopmentCertificateOid), [2], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow + Lifetime);

        // Readable by its owner only (on Windows the profile folder's own ACL does that).
        var directory = Path.GetDirectoryName(path)!;
        var temporary = path + ".tmp";
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            File.WriteAllBytes(temporary, created.Export(X509ContentType.Pkcs12));
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.WriteAllBytes(temporary, []);
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllBytes(temporary, created.Export(X509ContentType.Pkcs12));
        }

        File.Move(temporary, path, overwrite: true);
        return X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
    }
}
