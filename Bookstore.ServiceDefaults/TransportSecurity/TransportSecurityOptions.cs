namespace Bookstore.ServiceDefaults.TransportSecurity;

/// <summary>How the services protect the calls between them.</summary>
public enum TransportSecurityMode
{
    /// <summary>HTTP/2 without TLS (h2c): quick local runs only.</summary>
    Plain,

    /// <summary>TLS: Recommendations presents a certificate of the app's CA; the Marketplace verifies it against that CA.</summary>
    Tls,

    /// <summary>Mutual TLS: as <see cref="Tls"/>, and the Marketplace presents a client certificate of the CA too.</summary>
    Mutual,
}

/// <summary>
/// Section <c>TransportSecurity</c>, the same in both services (the AppHost or the deployment sets it). Recommendations'
/// own certificate is Kestrel's: <c>Kestrel:Certificates:Default:Path</c> and <c>KeyPath</c> (PEM files).
/// </summary>
public sealed class TransportSecurityOptions
{
    public const string SectionName = "TransportSecurity";

    public TransportSecurityMode Mode { get; set; } = TransportSecurityMode.Plain;

    /// <summary>The app's certificate authority (PEM): the only issuer either side accepts.</summary>
    public string? CaPath { get; set; }

    /// <summary>The Marketplace's client certificate and its private key (PEM), presented under <see cref="TransportSecurityMode.Mutual"/>.</summary>
    public string? ClientCertificatePath { get; set; }

    public string? ClientKeyPath { get; set; }

    /// <summary>The app's CA from <see cref="CaPath"/>, or an error that says which setting is missing.</summary>
    public AppCertificateAuthority LoadAuthority() => AppCertificateAuthority.Load(CaPath
        ?? throw new InvalidOperationException($"TransportSecurity:Mode is {Mode} but TransportSecurity:CaPath (the app's CA certificate, PEM) is not set."));
}
