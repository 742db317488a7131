using System.Security.Cryptography.X509Certificates;
using Bookstore.AppHost.Certificates;

namespace Bookstore.Tests.AppHost;

/// <summary>The AppHost's certificates: made once, reused while good, renewed before they expire, keys private.</summary>
public sealed class CertificateIssuerTests : IDisposable
{
    private static readonly (string, bool, string[])[] Wanted = [("recommendations", true, ["localhost", "127.0.0.1"]), ("marketplace", false, ["marketplace"])];

    private readonly CertificateIssuer _issuer = new(Directory.CreateTempSubdirectory("bookstore-issuer-").FullName);

    public void Dispose() => Directory.Delete(_issuer.Folder, recursive: true);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]   // file modes: the suite runs on Linux
    public void Certificates_are_reused_while_good_and_chain_to_the_ca_with_their_names_and_usage()
    {
        _issuer.Ensure(Wanted);
        var first = Read("recommendations");
        _issuer.Ensure(Wanted);

        Assert.Equal(first.Thumbprint, Read("recommendations").Thumbprint);
        var authority = new ServiceDefaults.TransportSecurity.AppCertificateAuthority(X509CertificateLoader.LoadCertificateFromFile(_issuer.CaCertificatePath));
        Assert.Null(authority.Problem(first, ServiceDefaults.TransportSecurity.AppCertificateAuthority.ServerAuthentication));
        Assert.NotNull(authority.Problem(first, ServiceDefaults.TransportSecurity.AppCertificateAuthority.ClientAuthentication));
        Assert.Null(authority.Problem(Read("marketplace"), ServiceDefaults.TransportSecurity.AppCertificateAuthority.ClientAuthentication));
        var names = first.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["localhost"], names.EnumerateDnsNames());
        Assert.Equal(["127.0.0.1"], names.EnumerateIPAddresses().Select(address => address.ToString()));
        Assert.False(File.ReadAllText(_issuer.CertificatePath("recommendations")).Contains("PRIVATE KEY", StringComparison.Ordinal));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_issuer.KeyPath("recommendations")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_issuer.Folder, "ca.key")));
    }

    [Fact]
    public void A_certificate_is_renewed_two_weeks_before_it_expires_and_when_its_names_change()
    {
        _issuer.Ensure(Wanted);
        var first = Read("recommendations");

        _issuer.Ensure(Wanted, now: new DateTimeOffset(first.NotAfter) - CertificateIssuer.RenewBefore + TimeSpan.FromDays(1));
        var renewed = Read("recommendations");
        Assert.NotEqual(first.Thumbprint, renewed.Thumbprint);
        Assert.True(renewed.NotAfter > first.NotAfter);

        _issuer.Ensure([("recommendations", true, ["localhost", "127.0.0.1", "recommendations"]), Wanted[1]], now: new DateTimeOffset(renewed.NotBefore).AddMinutes(1));
        Assert.Contains("recommendations", Read("recommendations").Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
    }

    [Fact]
    public void A_new_ca_reissues_every_certificate()
    {
        _issuer.Ensure(Wanted);
        var client = Read("marketplace");
        File.Delete(_issuer.CaCertificatePath);

        _issuer.Ensure(Wanted);

        Assert.NotEqual(client.Thumbprint, Read("marketplace").Thumbprint);
        Assert.Equal(X509CertificateLoader.LoadCertificateFromFile(_issuer.CaCertificatePath).Subject, Read("marketplace").Issuer);
    }

    private X509Certificate2 Read(string name) => X509Certificate2.CreateFromPemFile(_issuer.CertificatePath(name), _issuer.KeyPath(name));

    [Theory]
    [InlineData("Sometimes")]
    [InlineData("5")]
    public async Task An_unknown_transport_security_mode_stops_the_apphost_naming_the_three(string mode)
    {
        var (exitCode, output) = await Infrastructure.Command.AppHostAsync("--TransportSecurity", mode);

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"TransportSecurity is \"{mode}\": use Plain, Tls or Mutual", output, StringComparison.Ordinal);
    }
}
