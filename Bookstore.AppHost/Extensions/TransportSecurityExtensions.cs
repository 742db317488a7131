using Bookstore.AppHost.Certificates;

namespace Bookstore.AppHost.Extensions;

/// <summary>
/// The services' TransportSecurity:Mode values (ServiceDefaults' TransportSecurityMode; the AppHost references the
/// services as resources, not as libraries, so it names them again).
/// </summary>
public enum TransportSecurityMode
{
    Plain,
    Tls,
    Mutual,
}

/// <summary>The transport security of the model: its mode and, unless plain, the certificates of the app's own CA.</summary>
public sealed record TransportSecurity(TransportSecurityMode Mode, CertificateIssuer Certificates)
{
    /// <summary>The configuration key: <c>dotnet run --project Bookstore.AppHost -- --TransportSecurity Plain|Tls|Mutual</c>.</summary>
    public const string ConfigurationKey = "TransportSecurity";

    public const string Server = "recommendations";
    public const string Client = "marketplace";

    /// <summary>Recommendations' endpoint (and launch profile): "https" under TLS, "http" when plain.</summary>
    public string EndpointName => Mode == TransportSecurityMode.Plain ? "http" : "https";

    /// <summary>Where a deployment mounts a service's certificates (Bookstore.DeploymentGenerator's TransportSecurity.MountPath).</summary>
    public const string DeploymentFolder = "/etc/bookstore/tls";

    /// <summary>The CA, certificate and key files of a service: in .certs/ when run, in the deployment's mount when published.</summary>
    public (string Ca, string Certificate, string Key) FilesOf(IDistributedApplicationBuilder builder, string service) =>
        builder.ExecutionContext.IsRunMode
            ? (Certificates.CaCertificatePath, Certificates.CertificatePath(service), Certificates.KeyPath(service))
            : ($"{DeploymentFolder}/ca.crt", $"{DeploymentFolder}/tls.crt", $"{DeploymentFolder}/tls.key");

    /// <summary>Names Recommendations is reached by locally (DCP gives each replica a localhost URL).</summary>
    public static readonly string[] LocalServerNames = ["localhost", "127.0.0.1", "::1"];
}

public static class TransportSecurityExtensions
{
    /// <summary>
    /// Reads the mode (mutual TLS unless configured otherwise) and, in run mode, makes sure the app's CA and the
    /// services' certificates exist and are good (Bookstore.AppHost/.certs/, git-ignored; reused until two weeks before
    /// they expire).
    /// </summary>
    public static TransportSecurity AddTransportSecurity(this IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration[TransportSecurity.ConfigurationKey];
        var mode = TransportSecurityMode.Mutual;
        // IsDefined too: Enum.TryParse takes any number ("5") as a value.
        if (!string.IsNullOrEmpty(configured) && (!Enum.TryParse(configured, ignoreCase: true, out mode) || !Enum.IsDefined(mode)))
        {
            throw new InvalidOperationException(
                $"{TransportSecurity.ConfigurationKey} is \"{configured}\": use Plain, Tls or Mutual (e.g. `dotnet run --project Bookstore.AppHost -- --{TransportSecurity.ConfigurationKey} Plain`).");
        }

        var security = new TransportSecurity(mode, new CertificateIssuer(Path.Combine(builder.AppHostDirectory, ".certs")));
        if (builder.ExecutionContext.IsRunMode && mode != TransportSecurityMode.Plain)
        {
            security.Certificates.Ensure([(TransportSecurity.Server, true, TransportSecurity.LocalServerNames), (TransportSecurity.Client, false, [TransportSecurity.Client])]);
        }

        return security;
    }

    /// <summary>Recommendations' side: its mode, the CA that client certificates must chain to, its own certificate and key.</summary>
    public static IResourceBuilder<ProjectResource> WithServerTransportSecurity(this IResourceBuilder<ProjectResource> builder, TransportSecurity security)
    {
        builder.WithEnvironment("TransportSecurity__Mode", security.Mode.ToString());
        if (security.Mode == TransportSecurityMode.Plain)
        {
            return builder;
        }

        // Kestrel's own settings for its default certificate (PEM certificate and key); Aspire sees them and leaves the
        // endpoint's certificate to us. Published: where the deployment mounts the service's certificates.
        var files = security.FilesOf(builder.ApplicationBuilder, TransportSecurity.Server);
        return builder
            .WithEnvironment("TransportSecurity__CaPath", files.Ca)
            .WithEnvironment("Kestrel__Certificates__Default__Path", files.Certificate)
            .WithEnvironment("Kestrel__Certificates__Default__KeyPath", files.Key);
    }

    /// <summary>The Marketplace's side: its mode, the CA Recommendations' certificate must chain to, its client certificate.</summary>
    public static IResourceBuilder<ProjectResource> WithClientTransportSecurity(this IResourceBuilder<ProjectResource> builder, TransportSecurity security)
    {
        builder.WithEnvironment("TransportSecurity__Mode", security.Mode.ToString());
        if (security.Mode == TransportSecurityMode.Plain)
        {
            return builder;
        }

        var files = security.FilesOf(builder.ApplicationBuilder, TransportSecurity.Client);
        builder.WithEnvironment("TransportSecurity__CaPath", files.Ca);
        return security.Mode == TransportSecurityMode.Mutual
            ? builder
                .WithEnvironment("TransportSecurity__ClientCertificatePath", files.Certificate)
                .WithEnvironment("TransportSecurity__ClientKeyPath", files.Key)
            : builder;
    }
}
