using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace Bookstore.DeploymentGenerator;

/// <summary>
/// Aspirate's job: from an Aspire manifest, a Kustomize tree (one folder per resource with deployment.yaml,
/// service.yaml, serviceaccount.yaml and a kustomization.yaml whose configMapGenerator carries the
/// environment) and a docker-compose.yaml. Placeholders become in-cluster addresses: every container listens on
/// 8080; an h2c (gRPC) service gets a headless Service, so that its clients see every pod and spread calls over
/// them, instead of one ClusterIP connection pinned to one pod.
/// <para>
/// Aspire's manifest publisher gives every project an <c>https</c> binding beside <c>http</c> (and, to a project that
/// references it, <c>services__{name}__https__0</c>). The containers serve plain HTTP on 8080, so the https bindings
/// and the variables that point at them are left out.
/// </para>
/// </summary>
internal static partial class DeploymentGenerator
{
    public const int ContainerPort = 8080;
    public const int Replicas = 3;
    public const int TerminationGracePeriodSeconds = 45;

    private static readonly ISerializer Yaml = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .DisableAliases()
        .Build();

    public static void Write(string manifestPath, string outputDirectory)
    {
        var projects = WithoutTlsBindings(AspireManifest.Read(manifestPath));
        Directory.CreateDirectory(outputDirectory);
        foreach (var project in projects)
        {
            var folder = Path.Combine(outputDirectory, project.Name);
            Directory.CreateDirectory(folder);
            WriteYaml(Path.Combine(folder, "serviceaccount.yaml"), ServiceAccount(project));
            WriteYaml(Path.Combine(folder, "deployment.yaml"), Deployment(project));
            WriteYaml(Path.Combine(folder, "service.yaml"), Service(project));
            WriteYaml(Path.Combine(folder, "kustomization.yaml"), new Dictionary<string, object>
            {
                ["apiVersion"] = "kustomize.config.k8s.io/v1beta1",
                ["kind"] = "Kustomization",
                ["resources"] = new[] { "serviceaccount.yaml", "deployment.yaml", "service.yaml" },
                ["configMapGenerator"] = new[]
                {
                    new Dictionary<string, object>
                    {
                        ["name"] = $"{project.Name}-env",
                        ["literals"] = Environment(project).Select(variable => $"{variable.Key}={variable.Value}").ToArray(),
                    },
                },
            });
        }

        WriteYaml(Path.Combine(outputDirectory, "kustomization.yaml"), new Dictionary<string, object>
        {
            ["apiVersion"] = "kustomize.config.k8s.io/v1beta1",
            ["kind"] = "Kustomization",
            ["resources"] = projects.Select(project => project.Name).ToArray(),
        });
        WriteYaml(Path.Combine(outputDirectory, "docker-compose.yaml"), Compose(projects));
    }

    private static List<ManifestProject> WithoutTlsBindings(IReadOnlyList<ManifestProject> projects)
    {
        var tls = projects.SelectMany(project => project.Bindings.Where(binding => binding.Scheme == "https").Select(binding => $"{project.Name}.{binding.Name}")).ToHashSet();
        return [.. projects.Select(project => project with
        {
            Bindings = [.. project.Bindings.Where(binding => !tls.Contains($"{project.Name}.{binding.Name}"))],
            Environment = project.Environment
                .Where(variable => !Placeholder().Matches(variable.Value).Any(match => tls.Contains($"{match.Groups["resource"].Value}.{match.Groups["binding"].Value}")))
                .ToDictionary(variable => variable.Key, variable => variable.Value),
        })];
    }

    /// <summary>The manifest's environment with its placeholders resolved to in-cluster (or Compose network) addresses.</summary>
    public static IReadOnlyDictionary<string, string> Environment(ManifestProject project) =>
        project.Environment.ToDictionary(variable => variable.Key, variable => Placeholder().Replace(variable.Value, match =>
            match.Groups["property"].Value switch
            {
                "url" => $"http://{match.Groups["resource"].Value}:{ContainerPort}",
                "host" => match.Groups["resource"].Value,
                "port" or "targetPort" => ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                var other => throw new ManifestException($"Placeholder property '{other}' in {match.Value} is not supported."),
            }));

    private static bool IsGrpc(ManifestProject project) => project.Bindings.Any(binding => binding.Transport == "http2");

    private static bool IsExternal(ManifestProject project) => project.Bindings.Any(binding => binding.External);

    private static Dictionary<string, object> Labels(ManifestProject project) => new()
    {
        ["app.kubernetes.io/name"] = project.Name,
        ["app.kubernetes.io/part-of"] = "bookstore",
        ["app.kubernetes.io/component"] = IsExternal(project) ? "frontend" : "backend",
        ["app.kubernetes.io/managed-by"] = "bookstore-apphost",
    };

    private static Dictionary<string, object> Selector(ManifestProject project) => new() { ["app.kubernetes.io/name"] = project.Name };

    private static Dictionary<string, object> ServiceAccount(ManifestProject project) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ServiceAccount",
        ["metadata"] = new Dictionary<string, object> { ["name"] = project.Name, ["labels"] = Labels(project) },
        ["automountServiceAccountToken"] = false,
    };

    private static Dictionary<string, object> Deployment(ManifestProject project) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new Dictionary<string, object> { ["name"] = project.Name, ["labels"] = Labels(project) },
        ["spec"] = new Dictionary<string, object>
        {
            ["replicas"] = Replicas,
            ["selector"] = new Dictionary<string, object> { ["matchLabels"] = Selector(project) },
            ["template"] = new Dictionary<string, object>
            {
                ["metadata"] = new Dictionary<string, object> { ["labels"] = Labels(project) },
                ["spec"] = new Dictionary<string, object>
                {
                    ["serviceAccountName"] = project.Name,
                    ["automountServiceAccountToken"] = false,
                    // Above the service's drain time (30 s by default), so in-flight calls finish before SIGKILL.
                    ["terminationGracePeriodSeconds"] = TerminationGracePeriodSeconds,
                    ["securityContext"] = new Dictionary<string, object>
                    {
                        ["runAsNonRoot"] = true,
                        ["runAsUser"] = 1654,
                        ["runAsGroup"] = 1654,
                        ["seccompProfile"] = new Dictionary<string, object> { ["type"] = "RuntimeDefault" },
                    },
                    ["containers"] = new[] { Container(project) },
                    ["volumes"] = new[] { new Dictionary<string, object> { ["name"] = "tmp", ["emptyDir"] = new Dictionary<string, object>() } },
                },
            },
        },
    };

    private static Dictionary<string, object> Container(ManifestProject project) => new()
    {
        ["name"] = project.Name,
        ["image"] = $"bookstore/{project.Name}:latest",
        ["imagePullPolicy"] = "IfNotPresent",
        ["ports"] = new[] { new Dictionary<string, object> { ["name"] = "http", ["containerPort"] = ContainerPort, ["protocol"] = "TCP" } },
        ["envFrom"] = new[] { new Dictionary<string, object> { ["configMapRef"] = new Dictionary<string, object> { ["name"] = $"{project.Name}-env" } } },
        ["resources"] = new Dictionary<string, object>
        {
            ["requests"] = new Dictionary<string, object> { ["cpu"] = "100m", ["memory"] = "128Mi" },
            ["limits"] = new Dictionary<string, object> { ["cpu"] = "1", ["memory"] = "256Mi" },
        },
        ["securityContext"] = new Dictionary<string, object>
        {
            ["allowPrivilegeEscalation"] = false,
            ["readOnlyRootFilesystem"] = true,
            ["runAsNonRoot"] = true,
            ["capabilities"] = new Dictionary<string, object> { ["drop"] = new[] { "ALL" } },
        },
        ["startupProbe"] = Probe(project, "/alive", periodSeconds: 1, failureThreshold: 30),
        ["readinessProbe"] = Probe(project, "/health", periodSeconds: 5, failureThreshold: 1),
        ["livenessProbe"] = Probe(project, "/alive", periodSeconds: 10, failureThreshold: 3),
        // The only writable place: .NET and ASP.NET Core may write temporary files.
        ["volumeMounts"] = new[] { new Dictionary<string, object> { ["name"] = "tmp", ["mountPath"] = "/tmp" } },
    };

    /// <summary>gRPC services are probed with grpc.health.v1 (it turns NOT_SERVING on SIGTERM); web apps on the ServiceDefaults paths.</summary>
    private static Dictionary<string, object> Probe(ManifestProject project, string path, int periodSeconds, int failureThreshold)
    {
        var probe = IsGrpc(project)
            ? new Dictionary<string, object> { ["grpc"] = new Dictionary<string, object> { ["port"] = ContainerPort } }
            : new Dictionary<string, object> { ["httpGet"] = new Dictionary<string, object> { ["path"] = path, ["port"] = "http" } };
        probe["periodSeconds"] = periodSeconds;
        probe["failureThreshold"] = failureThreshold;
        return probe;
    }

    private static Dictionary<string, object> Service(ManifestProject project)
    {
        var spec = new Dictionary<string, object>
        {
            ["selector"] = Selector(project),
            ["ports"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["name"] = "http",
                    ["port"] = IsExternal(project) ? 80 : ContainerPort,
                    ["targetPort"] = "http",
                    ["protocol"] = "TCP",
                    ["appProtocol"] = IsGrpc(project) ? "kubernetes.io/h2c" : "http",
                },
            },
        };
        if (IsExternal(project))
        {
            spec["type"] = "LoadBalancer";
        }
        else if (IsGrpc(project))
        {
            // Headless: DNS answers with every ready pod, and the clients' service discovery spreads calls over them.
            spec["clusterIP"] = "None";
        }

        return new Dictionary<string, object>
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new Dictionary<string, object> { ["name"] = project.Name, ["labels"] = Labels(project) },
            ["spec"] = spec,
        };
    }

    // No top-level "name": Debian's docker-compose (1.29) rejects it; the project name comes from the folder or -p.
    private static Dictionary<string, object> Compose(IReadOnlyList<ManifestProject> projects) => new()
    {
        ["services"] = projects.ToDictionary(project => project.Name, project =>
        {
            var service = new Dictionary<string, object>
            {
                ["image"] = $"bookstore/{project.Name}:latest",
                ["environment"] = Environment(project),
                ["read_only"] = true,
                ["tmpfs"] = new[] { "/tmp" },
                ["cap_drop"] = new[] { "ALL" },
                ["security_opt"] = new[] { "no-new-privileges:true" },
                ["stop_grace_period"] = $"{TerminationGracePeriodSeconds}s",
                ["restart"] = "unless-stopped",
            };
            var dependencies = projects.Where(other => other != project && project.Environment.Values.Any(value => value.Contains($"{{{other.Name}.", StringComparison.Ordinal))).Select(other => other.Name).ToArray();
            if (dependencies.Length > 0)
            {
                service["depends_on"] = dependencies;
            }

            if (IsExternal(project))
            {
                service["ports"] = new[] { $"{ContainerPort}:{ContainerPort}" };
            }
            else
            {
                // Compose's DNS answers with every replica, as a headless Service does.
                service["deploy"] = new Dictionary<string, object> { ["replicas"] = Replicas };
            }

            return (object)service;
        }),
    };

    private static void WriteYaml(string path, object document) =>
        File.WriteAllText(path, $"# Generated by scripts/generate-deployment.sh from aspire-manifest.json: do not edit.\n{Yaml.Serialize(document)}");

    [GeneratedRegex(@"\{(?<resource>[a-z0-9-]+)\.bindings\.(?<binding>[a-z0-9-]+)\.(?<property>[a-zA-Z]+)\}")]
    private static partial Regex Placeholder();
}
