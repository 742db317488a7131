using System.Text.RegularExpressions;

namespace Bookstore.DeploymentGenerator;

/// <summary>
/// The manifest as the generator deploys it: projects without their https bindings, PostgreSQL servers, each
/// resource's environment resolved, and which Secret holds each secret parameter.
/// <para>
/// Aspire's manifest publisher gives every project an <c>https</c> binding beside <c>http</c> (and, to a project that
/// references it, <c>services__{name}__https__0</c>). The containers serve plain HTTP on 8080, so the https bindings
/// and the variables that point at them are left out.
/// </para>
/// </summary>
internal sealed partial class DeploymentModel
{
    private readonly Placeholders _placeholders;
    private readonly Dictionary<string, string> _secretOwners = [];

    public DeploymentModel(Manifest manifest)
    {
        _placeholders = new Placeholders(manifest);
        var projects = WithoutTlsBindings(manifest.Projects);
        var tlsServers = projects.Where(project => TransportSecurity.ServesTls(project.Environment)).Select(project => project.Name).ToHashSet();
        Projects = [.. projects.Select(project => project with { Environment = TransportSecurity.Rewrite(project.Environment, tlsServers) })];
        foreach (var container in manifest.Containers)
        {
            if (!PostgresServer.IsPostgres(container))
            {
                throw new ManifestException($"Container '{container.Name}' ({container.Image}) is not PostgreSQL; only PostgreSQL containers can be deployed so far.");
            }
        }

        Containers = manifest.Containers;
        Databases = manifest.Values
            .Select(value => DatabaseOnServer().Match(value.ConnectionString))
            .Where(match => match.Success)
            .Select(match => (Server: match.Groups["server"].Value, Database: match.Groups["database"].Value))
            .ToList();

        // A secret belongs to the container whose own environment takes it (POSTGRES_PASSWORD on postgres): its folder
        // holds the env file the Secret is generated from; everyone else refers to that Secret.
        foreach (var container in Containers)
        {
            foreach (var key in Environment(container.Environment).Values.SelectMany(value => value.SecretKeys))
            {
                _secretOwners.TryAdd(key, container.Name);
            }
        }

        var orphan = manifest.Parameters.Where(parameter => parameter.Secret).Select(parameter => Placeholders.SecretKey(parameter.Name)).FirstOrDefault(key => !_secretOwners.ContainsKey(key));
        if (orphan is not null)
        {
            throw new ManifestException($"Secret {orphan} is taken by no container's environment, so no generated Secret would hold it.");
        }
    }

    public IReadOnlyList<ManifestProject> Projects { get; }

    public IReadOnlyList<ManifestContainer> Containers { get; }

    /// <summary>The databases the AppHost adds on a server (<c>AddDatabase</c>): <c>{server.connectionString};Database=name</c>.</summary>
    public IReadOnlyList<(string Server, string Database)> Databases { get; }

    /// <summary>A resource's environment with its placeholders resolved, in the manifest's order.</summary>
    public Dictionary<string, ResolvedValue> Environment(IReadOnlyDictionary<string, string> environment) =>
        environment.ToDictionary(variable => variable.Key, variable => _placeholders.Resolve(variable.Value));

    /// <summary>The secret keys a container's own env file must hold (scripts/generate-secrets.sh writes it).</summary>
    public IEnumerable<string> SecretKeysOf(ManifestContainer container) =>
        _secretOwners.Where(owner => owner.Value == container.Name).Select(owner => owner.Key);

    /// <summary>The Kubernetes Secret (before kustomize adds its hash) that holds a secret key.</summary>
    public string SecretName(string key) => SecretName(Containers.Single(container => container.Name == _secretOwners[key]));

    public static string SecretName(ManifestContainer container) => $"{container.Name}-secrets";

    /// <summary>The env file, beside the container's kustomization.yaml and git-ignored, that its Secret is generated from.</summary>
    public static string SecretEnvFile(ManifestContainer container) => $"{container.Name}.env";

    /// <summary>The containers and projects a project's environment names, through connection strings too.</summary>
    public IReadOnlySet<string> DependenciesOf(ManifestProject project) =>
        project.Environment.Values.SelectMany(_placeholders.DependsOn).Where(name => name != project.Name).ToHashSet();

    /// <summary>The PostgreSQL server whose database a project uses, if any: such a project gets a migration job.</summary>
    public ManifestContainer? PostgresServerOf(ManifestProject project)
    {
        var dependencies = DependenciesOf(project);
        return Containers.FirstOrDefault(container => dependencies.Contains(container.Name));
    }

    private static List<ManifestProject> WithoutTlsBindings(IReadOnlyList<ManifestProject> projects)
    {
        var tls = projects.SelectMany(project => project.Bindings.Where(binding => binding.Scheme == "https").Select(binding => $"{project.Name}.{binding.Name}")).ToHashSet();
        return [.. projects.Select(project => project with
        {
            Bindings = [.. project.Bindings.Where(binding => !tls.Contains($"{project.Name}.{binding.Name}"))],
            Environment = project.Environment
                .Where(variable => !Placeholders.ReferencedBindings(variable.Value).Any(tls.Contains))
                .ToDictionary(variable => variable.Key, variable => variable.Value),
        })];
    }

    [GeneratedRegex(@"^\{(?<server>[a-zA-Z0-9-]+)\.connectionString\};Database=(?<database>[^;]+)$")]
    private static partial Regex DatabaseOnServer();
}
