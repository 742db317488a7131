using Bookstore.AppHost.Certificates;

namespace Bookstore.DeploymentGenerator;

/// <summary>
/// The deployment's side of the AppHost's transport security. The manifest says it by environment: a project whose
/// variables point into <see cref="MountPath"/> uses certificates (the AppHost writes those paths in publish mode), and
/// one with <c>Kestrel__Certificates__Default__Path</c> among them serves TLS. For such a project the generator mounts
/// the Secret <c>{name}-tls</c> (Kubernetes: kustomize's secretGenerator from the git-ignored <c>{name}/tls/</c>
/// folder; Compose: that folder, read-only), serves on <c>HTTPS_PORTS</c> instead of <c>HTTP_PORTS</c>, and its
/// callers' service discovery says <c>https://</c>. No key material is ever in a generated file.
/// </summary>
internal static class TransportSecurity
{
    public const string MountPath = "/etc/bookstore/tls";
    public const string Folder = "tls";
    public const string ServerCertificateVariable = "Kestrel__Certificates__Default__Path";
    public static readonly string[] Files = ["ca.crt", "tls.crt", "tls.key"];

    public static bool UsesCertificates(IReadOnlyDictionary<string, string> environment) =>
        environment.Values.Any(value => value.StartsWith(MountPath + "/", StringComparison.Ordinal));

    public static bool ServesTls(IReadOnlyDictionary<string, string> environment) => environment.ContainsKey(ServerCertificateVariable);

    public static string SecretName(ManifestProject project) => $"{project.Name}-tls";

    /// <summary>
    /// The environment as deployed: a TLS server's port variable is HTTPS_PORTS (and HTTP_PORTS is empty), and a caller's service-discovery entry
    /// for a TLS server is its https one.
    /// </summary>
    public static Dictionary<string, string> Rewrite(IReadOnlyDictionary<string, string> environment, IReadOnlySet<string> tlsServers)
    {
        var rewritten = new Dictionary<string, string>();
        foreach (var (key, value) in environment)
        {
            if (key == "HTTP_PORTS" && ServesTls(environment))
            {
                // Empty, not left out: the image sets HTTP_PORTS=8080, and Kestrel would open a plain port beside.
                rewritten["HTTP_PORTS"] = string.Empty;
                rewritten["HTTPS_PORTS"] = value;
            }
            else if (key.Split("__") is ["services", var server, "http", var index] && tlsServers.Contains(server))
            {
                rewritten[$"services__{server}__https__{index}"] = value.Replace("{" + server + ".bindings.http.url}", "https://{" + server + ".bindings.http.host}:{" + server + ".bindings.http.targetPort}", StringComparison.Ordinal);
            }
            else
            {
                rewritten[key] = value;
            }
        }

        return rewritten;
    }

    /// <summary>
    /// <c>Bookstore.DeploymentGenerator certificates DIR</c>: the app's CA and a certificate per project that uses one
    /// (a server's named after its Service, a client's after itself), issued in <c>DIR/certs/</c> and copied as
    /// <c>ca.crt</c>, <c>tls.crt</c>, <c>tls.key</c> into <c>DIR/{project}/tls/</c>; reused while good (see
    /// <see cref="CertificateIssuer"/>).
    /// </summary>
    public static void WriteCertificates(string manifestPath, string outputDirectory)
    {
        var projects = AspireManifest.Read(manifestPath).Projects.Where(project => UsesCertificates(project.Environment)).ToList();
        var issuer = new CertificateIssuer(Path.Combine(outputDirectory, "certs"));
        issuer.Ensure(projects.Select(project => (project.Name, ServesTls(project.Environment), new[] { project.Name })));
        foreach (var project in projects)
        {
            var folder = Path.Combine(outputDirectory, project.Name, Folder);
            Directory.CreateDirectory(folder);
            File.Copy(issuer.CaCertificatePath, Path.Combine(folder, "ca.crt"), overwrite: true);
            File.Copy(issuer.CertificatePath(project.Name), Path.Combine(folder, "tls.crt"), overwrite: true);
            File.Copy(issuer.KeyPath(project.Name), Path.Combine(folder, "tls.key"), overwrite: true);
            Console.WriteLine($"wrote {folder}/ (ca.crt, tls.crt, tls.key)");
        }
    }
}
