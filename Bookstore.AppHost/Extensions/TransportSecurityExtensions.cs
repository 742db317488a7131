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
        if (!string.IsNullOrEmpty(configured) && !Enum.TryParse(configured, ignoreCase: true, out mode))
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
        // The deployment output (publish mode) does not carry certificates yet: it stays plain (README, "Transport security").
        if (!builder.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        builder.WithEnvironment("TransportSecurity__Mode", security.Mode.ToString());
        if (security.Mode == TransportSecurityMode.Plain)
        {
            return builder;
        }

        // Kestrel's own settings for its default certificate (PEM certificate and key); Aspire sees them and leaves the
        // endpoint's certificate to us.
        return builder
            .WithEnvironment("TransportSecurity__CaPath", security.Certificates.CaCertificatePath)
            .WithEnvironment("Kestrel__Certificates__Default__Path", security.Certificates.CertificatePath(TransportSecurity.Server))
            .WithEnvironment("Kestrel__Certificates__Default__KeyPath", security.Certificates.KeyPath(TransportSecurity.Server));
    }

    /// <summary>The Marketplace's side: its mode, the CA Recommendations' certificate must chain to, its client certificate.</summary>
    public static IResourceBuilder<ProjectResource> WithClientTransportSecurity(this IResourceBuilder<ProjectResource> builder, TransportSecurity security)
    {
        if (!builder.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        builder.WithEnvironment("TransportSecurity__Mode", security.Mode.ToString());
        if (security.Mode == TransportSecurityMode.Plain)
        {
            return builder;
        }

        builder.WithEnvironment("TransportSecurity__CaPath", security.Certificates.CaCertificatePath);
        return security.Mode == TransportSecurityMode.Mutual
            ? builder
                .WithEnvironment("TransportSecurity__ClientCertificatePath", security.Certificates.CertificatePath(TransportSecurity.Client))
                .WithEnvironment("TransportSecurity__ClientKeyPath", security.Certificates.KeyPath(TransportSecurity.Client))
            : builder;
    }
}
