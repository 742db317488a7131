using System.Text;
using Bookstore.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using YamlDotNet.Serialization;

namespace Bookstore.Tests.Publishing;

/// <summary>Bookstore.DeploymentGenerator on the manifest Aspire publishes: Kustomize and Compose manifests that real tools accept.</summary>
public sealed class DeploymentTests : IAsyncLifetime
{
    private const string CatalogVariable = "ConnectionStrings__catalog";
    private const string PasswordKey = "POSTGRES_PASSWORD";

    private static readonly string[] ProbePaths = [ServiceDefaultsExtensions.HealthEndpointPath, ServiceDefaultsExtensions.AlivenessEndpointPath];

    private static readonly string[] Probes = ["startupProbe", "readinessProbe", "livenessProbe"];

    /// <summary>The git-ignored files scripts/generate-secrets.sh writes; the only ones a secret may be in.</summary>
    private static readonly string[] SecretFiles = [".env", Path.Combine("postgres", "postgres.env")];

    private static readonly IDeserializer Yaml = new DeserializerBuilder().Build();

    private readonly string _output = Directory.CreateTempSubdirectory("bookstore-generate-").FullName;
    private List<Dictionary<object, object>> _objects = [];
    private string _kustomized = "";

    private string Manifest => Path.Combine(_output, "aspire-manifest.json");

    public async ValueTask InitializeAsync()
    {
        var (exitCode, output) = await Command.AppHostAsync("--publisher", "manifest", "--output-path", Manifest);
        Assert.True(exitCode == 0, output);
        (exitCode, output) = await Command.DeploymentGeneratorAsync(Manifest, _output);
        Assert.True(exitCode == 0, output);
        // The Secret's env file and Compose's .env, as a person deploying makes them.
        (exitCode, output) = await GenerateSecretsAsync(_output);
        Assert.True(exitCode == 0, output);
        (exitCode, _kustomized) = await Command.RunAsync("kubectl", _output, ["kustomize", _output]);
        Assert.True(exitCode == 0, $"kubectl kustomize failed: {_kustomized}");
        _objects = [.. _kustomized.Split("\n---\n").Select(document => Yaml.Deserialize<Dictionary<object, object>>(document))];
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_output, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_missing_manifest_gets_a_message_that_says_how_to_publish_it_and_exit_code_2()
    {
        var (exitCode, output) = await Command.DeploymentGeneratorAsync(Path.Combine(_output, "nowhere.json"), _output);

        Assert.Equal(2, exitCode);
        Assert.Contains("No Aspire manifest at", output, StringComparison.Ordinal);
        Assert.Contains("--publisher manifest", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_https_bindings_aspire_adds_on_publish_are_left_out_and_the_marketplace_calls_over_tls()
    {
        var compose = await File.ReadAllTextAsync(Path.Combine(_output, "docker-compose.yaml"), TestContext.Current.CancellationToken);

        Assert.Contains("services__recommendations__https__0: https://recommendations:8080", compose, StringComparison.Ordinal);
        Assert.DoesNotContain("http://recommendations", compose, StringComparison.Ordinal);
        Assert.DoesNotContain("bindings.https", compose, StringComparison.Ordinal);
        Assert.DoesNotContain("{postgres", compose, StringComparison.Ordinal);
        Assert.DoesNotContain("{catalog", compose, StringComparison.Ordinal);
    }

    [Fact]
    public void The_layout_is_aspirates()
    {
        foreach (var file in new[] { "kustomization.yaml", "docker-compose.yaml", "aspire-manifest.json", Path.Combine("recommendations", "migrate-job.yaml") })
        {
            Assert.True(File.Exists(Path.Combine(_output, file)), file);
        }

        foreach (var (resource, workload) in new[] { ("recommendations", "deployment.yaml"), ("marketplace", "deployment.yaml"), ("postgres", "statefulset.yaml") })
        {
            foreach (var file in new[] { workload, "service.yaml", "serviceaccount.yaml", "networkpolicy.yaml", "kustomization.yaml" })
            {
                Assert.True(File.Exists(Path.Combine(_output, resource, file)), $"{resource}/{file}");
            }
        }
    }

    [Fact]
    public async Task Every_object_validates_against_the_kubernetes_schemas()
    {
        var (exitCode, output) = await Command.NodeScriptAsync("validate-kubernetes.mjs", [], standardInput: _kustomized);

        Assert.True(exitCode == 0, output);
        var valid = output.Split('\n').Where(line => line.StartsWith("ok ", StringComparison.Ordinal)).Select(line => line[3..]).ToList();
        Assert.Equal(22, valid.Count);
        foreach (var expected in new[]
        {
            "StatefulSet/postgres", "Service/postgres", "ServiceAccount/postgres", "Job/recommendations-migrate", "NetworkPolicy/default-deny",
            "NetworkPolicy/postgres", "NetworkPolicy/recommendations", "NetworkPolicy/recommendations-migrate", "NetworkPolicy/marketplace",
        })
        {
            Assert.Contains(expected, valid);
        }

        Assert.Contains(valid, name => name.StartsWith("Secret/postgres-secrets-", StringComparison.Ordinal));
        Assert.Contains(valid, name => name.StartsWith("Secret/recommendations-tls-", StringComparison.Ordinal));
        Assert.Contains(valid, name => name.StartsWith("Secret/marketplace-tls-", StringComparison.Ordinal));
        Assert.Contains(valid, name => name.StartsWith("Secret/marketplace-dataprotection-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_kustomization_validates_against_its_schema()
    {
        foreach (var kustomization in Directory.GetFiles(_output, "kustomization.yaml", SearchOption.AllDirectories))
        {
            var (exitCode, output) = await Command.NodeScriptAsync("validate-json-schema.mjs", [Command.SharedSchema("kustomization.json"), kustomization]);
            Assert.True(exitCode == 0, $"{kustomization}: {output}");
        }
    }

    [Fact]
    public async Task The_compose_file_passes_docker_compose_config()
    {
        var (exitCode, output) = await DockerComposeConfigAsync(_output, "-q");

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task Without_its_env_file_docker_compose_stops_and_says_how_to_make_it()
    {
        var bare = Directory.CreateTempSubdirectory("bookstore-compose-").FullName;
        try
        {
            File.Copy(Path.Combine(_output, "docker-compose.yaml"), Path.Combine(bare, "docker-compose.yaml"));

            var (exitCode, output) = await DockerComposeConfigAsync(bare, "-q");

            Assert.NotEqual(0, exitCode);
            Assert.Contains("scripts/generate-secrets.sh", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(bare, recursive: true);
        }
    }

    [Fact]
    public void Selectors_ports_probes_and_service_discovery_fit_together()
    {
        var services = Objects("Service").ToDictionary(service => Name(service));
        var deployments = Objects("Deployment").ToDictionary(deployment => Name(deployment));
        var configMaps = Objects("ConfigMap").ToList();
        Assert.Equal(["marketplace", "recommendations"], deployments.Keys.Order());

        foreach (var (name, deployment) in deployments)
        {
            var spec = Map(deployment, "spec");
            var podLabels = Map(Map(Map(spec, "template"), "metadata"), "labels");
            Assert.All(Map(Map(spec, "selector"), "matchLabels"), label => Assert.Equal(label.Value, podLabels[label.Key]));
            Assert.Equal("3", spec["replicas"]);
            var podSpec = Map(Map(spec, "template"), "spec");
            Assert.True(int.Parse((string)podSpec["terminationGracePeriodSeconds"], System.Globalization.CultureInfo.InvariantCulture) > 30);
            var container = Map(List(podSpec, "containers").Single());
            AssertHardened(container);
            var ports = List(container, "ports").Select(Map).ToList();
            foreach (var probe in Probes.Select(key => Map(container, key)))
            {
                if (probe.TryGetValue("httpGet", out var httpGet))
                {
                    Assert.Contains((string)Map(httpGet)["path"], ProbePaths);
                    Assert.Contains(ports, port => Equals(port["name"], Map(httpGet)["port"]));
                }
                else if (probe.TryGetValue("tcpSocket", out var tcpSocket))
                {
                    Assert.Contains(ports, port => Equals(port["name"], Map(tcpSocket)["port"]));
                }
                else
                {
                    Assert.Contains(ports, port => Equals(port["containerPort"], Map(probe, "grpc")["port"]));
                }
            }

            var service = services[name];
            Assert.All(Map(Map(service, "spec"), "selector"), label => Assert.Equal(label.Value, podLabels[label.Key]));
            Assert.All(List(Map(service, "spec"), "ports").Select(Map), servicePort => Assert.Contains(ports, port => Equals(port["name"], servicePort["targetPort"])));
        }

        Assert.Equal("LoadBalancer", Map(services["marketplace"], "spec")["type"]);
        Assert.False(Map(services["recommendations"], "spec").ContainsKey("type"), "Recommendations must stay inside the cluster.");
        Assert.Equal("None", Map(services["recommendations"], "spec")["clusterIP"]);
        // Recommendations serves TLS (mutual TLS by default): probed over HTTPS, ready only with the schema migrated
        // (/health), kept alive meanwhile by /alive.
        var recommendations = Container(deployments["recommendations"]);
        foreach (var (probe, path) in new[] { ("readinessProbe", "/health"), ("livenessProbe", "/alive"), ("startupProbe", "/alive") })
        {
            Assert.Equal("HTTPS", Map(Map(recommendations, probe), "httpGet")["scheme"]);
            Assert.Equal(path, Map(Map(recommendations, probe), "httpGet")["path"]);
        }

        // Every service-discovery URL names a Service and one of its ports.
        var discovery = configMaps.SelectMany(map => Map(map, "data")).Where(entry => ((string)entry.Key).StartsWith("services__", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(discovery);
        foreach (var entry in discovery)
        {
            var url = new Uri((string)entry.Value);
            Assert.True(services.TryGetValue(url.Host, out var target), $"{entry.Key}={entry.Value} names no Service.");
            Assert.Contains(List(Map(target, "spec"), "ports").Select(Map), port => Equals(port["port"], url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        // The catalog's connection string names the PostgreSQL Service and its port.
        Assert.Contains("Host=postgres;Port=5432;", CatalogEnv(recommendations), StringComparison.Ordinal);
        Assert.Contains(List(Map(services["postgres"], "spec"), "ports").Select(Map), port => Equals(port["port"], "5432"));

        // No Service selects the migration job's pod.
        var jobLabels = Map(Map(Map(Map(Objects("Job").Single(), "spec"), "template"), "metadata"), "labels");
        Assert.DoesNotContain(services.Values, service => Map(Map(service, "spec"), "selector").All(label => Equals(jobLabels.GetValueOrDefault(label.Key), label.Value)));
    }

    [Fact]
    public void Both_services_mount_their_certificates_from_a_secret_read_only_and_recommendations_serves_only_tls()
    {
        var secrets = Objects("Secret").ToList();
        foreach (var (service, certificateVariable, keyVariable) in new[]
        {
            ("recommendations", "Kestrel__Certificates__Default__Path", "Kestrel__Certificates__Default__KeyPath"),
            ("marketplace", "TransportSecurity__ClientCertificatePath", "TransportSecurity__ClientKeyPath"),
        })
        {
            var deployment = Objects("Deployment").Single(item => Name(item) == service);
            var podSpec = Map(Map(Map(deployment, "spec"), "template"), "spec");
            var volume = List(podSpec, "volumes").Select(Map).Single(item => item.ContainsKey("secret") && Equals(item["name"], "tls"));
            var secretName = (string)Map(volume, "secret")["secretName"];
            var secret = secrets.Single(item => Name(item) == secretName);
            Assert.StartsWith($"{service}-tls-", secretName, StringComparison.Ordinal);
            Assert.Equal(["ca.crt", "tls.crt", "tls.key"], Map(secret, "data").Keys.Cast<string>().Order(StringComparer.Ordinal));
            Assert.Equal("288", Map(volume, "secret")["defaultMode"]);   // 0440
            var container = Container(deployment);
            var mount = List(container, "volumeMounts").Select(Map).Single(item => Equals(item["name"], volume["name"]));
            Assert.Equal("true", mount["readOnly"]);
            var environment = ConfigMapData(container);
            Assert.Equal("Mutual", environment["TransportSecurity__Mode"]);
            foreach (var variable in new[] { "TransportSecurity__CaPath", certificateVariable, keyVariable })
            {
                Assert.StartsWith((string)mount["mountPath"] + "/", (string)environment[variable], StringComparison.Ordinal);
            }
        }

        var recommendations = ConfigMapData(Container(Objects("Deployment").Single(item => Name(item) == "recommendations")));
        Assert.Equal("", recommendations["HTTP_PORTS"] ?? "");
        Assert.Equal("8080", recommendations["HTTPS_PORTS"]);
        var marketplace = ConfigMapData(Container(Objects("Deployment").Single(item => Name(item) == "marketplace")));
        Assert.Equal("https://recommendations:8080", marketplace["services__recommendations__https__0"]);
        Assert.False(marketplace.ContainsKey("services__recommendations__http__0"));
    }

    [Fact]
    public void The_marketplace_replicas_share_one_key_ring_from_a_secret_mounted_read_only_in_kubernetes_and_compose()
    {
        var deployment = Objects("Deployment").Single(item => Name(item) == "marketplace");
        Assert.True(int.Parse((string)Map(deployment, "spec")["replicas"], System.Globalization.CultureInfo.InvariantCulture) > 1, "one replica needs no shared key ring");
        var volume = List(Map(Map(Map(deployment, "spec"), "template"), "spec"), "volumes").Select(Map).Single(item => Equals(item["name"], "dataprotection"));
        var secretName = (string)Map(volume, "secret")["secretName"];
        Assert.StartsWith("marketplace-dataprotection-", secretName, StringComparison.Ordinal);
        Assert.Equal(["keyring.xml"], Map(Objects("Secret").Single(item => Name(item) == secretName), "data").Keys.Cast<string>());
        var container = Container(deployment);
        var mount = List(container, "volumeMounts").Select(Map).Single(item => Equals(item["name"], "dataprotection"));
        Assert.Equal("true", mount["readOnly"]);
        Assert.Equal((string)mount["mountPath"] + "/keyring.xml", ConfigMapData(container)["DataProtection__KeyRingPath"]);

        var compose = File.ReadAllText(Path.Combine(_output, "docker-compose.yaml"));
        Assert.Contains("./marketplace/dataprotection:/etc/bookstore/dataprotection:ro", compose, StringComparison.Ordinal);
    }

    [Fact]
    public void Network_policy_denies_everything_but_exactly_the_calls_the_model_makes()
    {
        const string NameLabel = "app.kubernetes.io/name";
        var policies = Objects("NetworkPolicy").ToList();
        var deny = Assert.Single(policies, policy => Map(Map(policy, "spec"), "podSelector").Count == 0);
        Assert.Equal(["Ingress", "Egress"], List(Map(deny, "spec"), "policyTypes").Cast<string>());
        Assert.False(Map(deny, "spec").ContainsKey("ingress") || Map(deny, "spec").ContainsKey("egress"));

        // The calls of the model, read from the rendered objects: service discovery URLs (to a Service, so to its pods
        // and target port) and connection strings / pg_isready commands (Host=..., -h ... -p ...), per workload.
        var services = Objects("Service").ToDictionary(service => Name(service));
        var workloads = Objects("Deployment").Concat(Objects("StatefulSet")).Concat(Objects("Job")).ToList();
        var expected = new HashSet<string>();
        foreach (var workload in workloads)
        {
            var podSpec = Map(Map(Map(workload, "spec"), "template"), "spec");
            var caller = (string)Map(Map(Map(Map(workload, "spec"), "template"), "metadata"), "labels")[NameLabel];
            var containers = List(podSpec, "containers").Concat(podSpec.TryGetValue("initContainers", out var init) ? (List<object>)init : []).Select(Map).ToList();
            var text = string.Join("\n", containers.Select(container => new SerializerBuilder().Build().Serialize(container)));
            if (containers.Any(container => container.ContainsKey("envFrom")))
            {
                text += "\n" + string.Join("\n", containers.Where(container => container.ContainsKey("envFrom")).Select(ConfigMapData).SelectMany(data => data.Values).Cast<string>());
            }

            foreach (System.Text.RegularExpressions.Match url in System.Text.RegularExpressions.Regex.Matches(text, @"https?://([a-z0-9-]+):([0-9]+)"))
            {
                var service = services[url.Groups[1].Value];
                var port = List(Map(service, "spec"), "ports").Select(Map).Single(port => (string)port["port"] == url.Groups[2].Value);
                var target = (string)Map(Map(service, "spec"), "selector")[NameLabel];
                var container = Container(workloads.Single(other => (string)Map(Map(Map(Map(other, "spec"), "template"), "metadata"), "labels")[NameLabel] == target));
                expected.Add($"{caller} -> {target}:{List(container, "ports").Select(Map).Single(p => Equals(p["name"], port["targetPort"]))["containerPort"]}");
            }

            foreach (System.Text.RegularExpressions.Match connection in System.Text.RegularExpressions.Regex.Matches(text, @"Host=([a-z0-9-]+);Port=([0-9]+)|-h ([a-z0-9-]+) -p ([0-9]+)"))
            {
                var host = connection.Groups[1].Success ? connection.Groups[1].Value : connection.Groups[3].Value;
                var port = connection.Groups[2].Success ? connection.Groups[2].Value : connection.Groups[4].Value;
                expected.Add($"{caller} -> {(string)Map(Map(services[host], "spec"), "selector")[NameLabel]}:{port}");
            }
        }

        Assert.Equal(["marketplace -> recommendations:8080", "recommendations -> postgres:5432", "recommendations-migrate -> postgres:5432"], expected.Order(StringComparer.Ordinal));

        // What the policies allow, both ends: an ingress rule of the callee and an egress rule of the caller.
        var ingress = new HashSet<string>();
        var egress = new HashSet<string>();
        var open = new List<string>();
        var dns = new List<string>();
        foreach (var policy in policies.Where(policy => policy != deny))
        {
            var spec = Map(policy, "spec");
            var selected = (string)Map(Map(spec, "podSelector"), "matchLabels")[NameLabel];
            Assert.Equal(["Ingress", "Egress"], List(spec, "policyTypes").Cast<string>());
            foreach (var rule in List(spec, "ingress").Select(Map))
            {
                var ports = List(rule, "ports").Select(Map).Select(port => (string)port["port"]).ToList();
                if (!rule.TryGetValue("from", out var from))
                {
                    open.AddRange(ports.Select(port => $"{selected}:{port}"));
                    continue;
                }

                foreach (var peer in ((List<object>)from).Select(Map))
                {
                    Assert.Single(peer);   // a pod selector, nothing wider
                    ingress.UnionWith(ports.Select(port => $"{(string)Map(Map(peer, "podSelector"), "matchLabels")[NameLabel]} -> {selected}:{port}"));
                }
            }

            foreach (var rule in List(spec, "egress").Select(Map))
            {
                var ports = List(rule, "ports").Select(Map).Select(port => $"{port["port"]}/{port["protocol"]}").ToList();
                foreach (var peer in List(rule, "to").Select(Map))
                {
                    if (peer.ContainsKey("namespaceSelector"))
                    {
                        Assert.Equal("kube-system", Map(Map(peer, "namespaceSelector"), "matchLabels")["kubernetes.io/metadata.name"]);
                        Assert.Equal("kube-dns", Map(Map(peer, "podSelector"), "matchLabels")["k8s-app"]);
                        Assert.Equal(["53/UDP", "53/TCP"], ports);
                        dns.Add(selected);
                        continue;
                    }

                    egress.UnionWith(ports.Select(port => $"{selected} -> {(string)Map(Map(peer, "podSelector"), "matchLabels")[NameLabel]}:{port.Split('/')[0]}"));
                }
            }
        }

        Assert.Equal(expected.Order(StringComparer.Ordinal), ingress.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Order(StringComparer.Ordinal), egress.Order(StringComparer.Ordinal));
        // Only the web app takes traffic from anywhere, on its own port; only callers may ask DNS.
        Assert.Equal(["marketplace:8080"], open);
        Assert.Equal(expected.Select(edge => edge.Split(' ')[0]).Distinct().Order(StringComparer.Ordinal), dns.Order(StringComparer.Ordinal));
        // Every workload has its policy.
        Assert.All(workloads, workload => Assert.Contains(policies, policy => Name(policy) == Name(workload)));
    }

    [Fact]
    public void PostgreSQL_is_a_stateful_set_of_one_on_a_claim_running_as_postgres_without_root()
    {
        var statefulSet = Objects("StatefulSet").Single();
        var spec = Map(statefulSet, "spec");
        Assert.Equal("postgres", Name(statefulSet));
        Assert.Equal("1", spec["replicas"]);
        var service = Objects("Service").Single(found => Name(found) == (string)spec["serviceName"]);
        Assert.Equal("None", Map(service, "spec")["clusterIP"]);
        var podLabels = Map(Map(Map(spec, "template"), "metadata"), "labels");
        Assert.All(Map(Map(service, "spec"), "selector"), label => Assert.Equal(label.Value, podLabels[label.Key]));
        Assert.All(Map(Map(spec, "selector"), "matchLabels"), label => Assert.Equal(label.Value, podLabels[label.Key]));

        var podSpec = Map(Map(spec, "template"), "spec");
        Assert.Contains(Objects("ServiceAccount"), account => Name(account) == (string)podSpec["serviceAccountName"]);
        var podSecurity = Map(podSpec, "securityContext");
        Assert.Equal("true", podSecurity["runAsNonRoot"]);
        Assert.Equal("999", podSecurity["runAsUser"]);
        Assert.Equal("999", podSecurity["fsGroup"]);
        var container = Container(statefulSet);
        Assert.Equal("bookstore/postgres:15", container["image"]);
        AssertHardened(container);
        foreach (var probe in Probes.Select(key => Map(container, key)))
        {
            Assert.Equal(["pg_isready", "-U", "postgres"], List(Map(probe, "exec"), "command").Take(3));
        }

        // The data on the claim, PGDATA in a directory of its own below the mount; the socket on an emptyDir.
        var claim = Map(List(spec, "volumeClaimTemplates").Single());
        Assert.Equal("bookstore-postgres-data", Name(claim));
        Assert.Equal(["ReadWriteOnce"], List(Map(claim, "spec"), "accessModes"));
        var mounts = List(container, "volumeMounts").Select(Map).ToDictionary(mount => (string)mount["name"], mount => (string)mount["mountPath"]);
        Assert.Equal("/var/lib/postgresql/data", mounts["bookstore-postgres-data"]);
        Assert.Equal("/var/run/postgresql", mounts["run"]);
        Assert.Contains(List(podSpec, "volumes").Select(Map), volume => Equals(volume["name"], "run") && volume.ContainsKey("emptyDir"));
        var settings = ConfigMapData(container);
        Assert.Equal("/var/lib/postgresql/data/pgdata", settings["PGDATA"]);
        Assert.Equal("postgres", settings["POSTGRES_USER"]);
        Assert.Equal("catalog", settings["POSTGRES_DB"]);

        // The password from the Secret that kustomize generated from postgres.env.
        var password = Map(List(container, "env").Select(Map).Single(variable => Equals(variable["name"], PasswordKey)), "valueFrom");
        var reference = Map(password, "secretKeyRef");
        var secret = Objects("Secret").Single(found => Name(found) == (string)reference["name"]);
        Assert.Equal(ReadSecret(Path.Combine(_output, "postgres", "postgres.env")), Encoding.UTF8.GetString(Convert.FromBase64String((string)Map(secret, "data")[reference["key"]])));
    }

    [Fact]
    public void Every_consumer_of_the_catalog_gets_its_connection_string_with_the_password_from_the_secret()
    {
        var consumers = Objects("Deployment").Concat(Objects("Job")).Where(workload => Container(workload).ContainsKey("env")).ToList();
        Assert.Equal(["recommendations", "recommendations-migrate"], consumers.Select(Name).Order());
        var secret = Objects("Secret").Single(found => Name(found).StartsWith("postgres-secrets-", StringComparison.Ordinal));

        foreach (var workload in consumers)
        {
            var env = List(Container(workload), "env").Select(Map).ToList();
            var passwordAt = env.FindIndex(variable => Equals(variable["name"], PasswordKey));
            var catalogAt = env.FindIndex(variable => Equals(variable["name"], CatalogVariable));
            Assert.True(passwordAt >= 0 && catalogAt > passwordAt, $"{Name(workload)}: {PasswordKey} must come before {CatalogVariable}, which expands it.");
            var reference = Map(Map(env[passwordAt], "valueFrom"), "secretKeyRef");
            Assert.Equal(Name(secret), reference["name"]);
            Assert.True(Map(secret, "data").ContainsKey(reference["key"]));
            Assert.Equal("Host=postgres;Port=5432;Username=postgres;Password=$(POSTGRES_PASSWORD);Database=catalog", env[catalogAt]["value"]);
        }

        Assert.DoesNotContain(Objects("ConfigMap"), map => Map(map, "data").ContainsKey(CatalogVariable) || Map(map, "data").ContainsKey(PasswordKey));
    }

    [Fact]
    public void The_migration_job_runs_the_recommendations_image_with_migrate_once_postgres_accepts_connections()
    {
        var job = Objects("Job").Single();
        var spec = Map(job, "spec");
        var podSpec = Map(Map(spec, "template"), "spec");
        var deployment = Container(Objects("Deployment").Single(found => Name(found) == "recommendations"));
        var migrate = Container(job);

        Assert.Equal("recommendations-migrate", Name(job));
        Assert.Equal(deployment["image"], migrate["image"]);
        Assert.Equal(["migrate"], List(migrate, "args"));
        Assert.Equal(deployment["envFrom"], migrate["envFrom"], new YamlEquality());
        Assert.Equal(deployment["env"], migrate["env"], new YamlEquality());
        AssertHardened(migrate);
        Assert.Equal("Never", podSpec["restartPolicy"]);
        Assert.True(int.Parse((string)spec["backoffLimit"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.True(spec.ContainsKey("ttlSecondsAfterFinished"));
        var wait = Map(List(podSpec, "initContainers").Single());
        Assert.Equal("bookstore/postgres:15", wait["image"]);
        Assert.Contains("pg_isready -U postgres -h postgres -p 5432", (string)List(wait, "command").Last(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_password_and_the_private_keys_are_only_in_git_ignored_files_and_in_no_config_map()
    {
        var passwords = SecretFiles.Select(file => ReadSecret(Path.Combine(_output, file))).ToList();
        Assert.All(passwords, password => Assert.Equal(32, password.Length));

        foreach (var file in Directory.EnumerateFiles(_output, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(_output, file);
            var text = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);
            if (passwords.Any(password => text.Contains(password, StringComparison.Ordinal)) || text.Contains("PRIVATE KEY", StringComparison.Ordinal)
                || text.Contains("<masterKey", StringComparison.Ordinal))
            {
                // In the repository's aspirate-output/ this file must be git-ignored (git check-ignore exits 0).
                var (ignored, output) = await Command.RunAsync("git", RepoPaths.Root, ["check-ignore", "--no-index", "-q", Path.Combine("aspirate-output", relative)]);
                Assert.True(ignored == 0, $"{relative} holds the password or a private key but is not git-ignored: {output}");
            }
        }

        Assert.True(File.Exists(Path.Combine(_output, "recommendations", "tls", "tls.key")), "generate-secrets.sh made no certificates.");
        Assert.True(File.Exists(Path.Combine(_output, "marketplace", "dataprotection", "keyring.xml")), "generate-secrets.sh made no key ring.");
        var encoded = passwords.Select(password => Convert.ToBase64String(Encoding.UTF8.GetBytes(password)));
        foreach (var map in Objects("ConfigMap"))
        {
            var data = string.Join('\n', Map(map, "data").Values);
            Assert.DoesNotContain(passwords.Concat(encoded), password => data.Contains(password, StringComparison.Ordinal));
        }

        // Mode 600: only their owner reads them.
        foreach (var file in SecretFiles)
        {
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_output, file)));
            }
        }
    }

    [Fact]
    public async Task The_compose_file_runs_postgres_then_the_migration_then_the_services_with_the_password_substituted()
    {
        var services = Map(Yaml.Deserialize<Dictionary<object, object>>(await File.ReadAllTextAsync(Path.Combine(_output, "docker-compose.yaml"), TestContext.Current.CancellationToken)), "services");
        var postgres = Map(services, "postgres");
        var migrate = Map(services, "migrate");
        var recommendations = Map(services, "recommendations");

        Assert.Equal("bookstore/postgres:15", postgres["image"]);
        Assert.Equal(["bookstore-postgres-data:/var/lib/postgresql/data"], List(postgres, "volumes"));
        Assert.Equal(["CMD", "pg_isready", "-U", "postgres"], List(Map(postgres, "healthcheck"), "test").Take(4));
        Assert.StartsWith("${POSTGRES_PASSWORD:?", (string)Map(postgres, "environment")[PasswordKey], StringComparison.Ordinal);

        Assert.Equal(recommendations["image"], migrate["image"]);
        Assert.Equal(["migrate"], List(migrate, "command"));
        Assert.Equal("no", migrate["restart"]);
        Assert.Equal("service_healthy", Map(Map(migrate, "depends_on"), "postgres")["condition"]);
        Assert.Equal("service_completed_successfully", Map(Map(recommendations, "depends_on"), "migrate")["condition"]);
        foreach (var consumer in new[] { migrate, recommendations })
        {
            Assert.StartsWith("Host=postgres;Port=5432;Username=postgres;Password=${POSTGRES_PASSWORD:?", (string)Map(consumer, "environment")[CatalogVariable], StringComparison.Ordinal);
        }

        // Compose fills in the password from .env, and nowhere else does it come from.
        var (exitCode, output) = await DockerComposeConfigAsync(_output);
        Assert.True(exitCode == 0, output);
        var resolved = Map(Yaml.Deserialize<Dictionary<object, object>>(output), "services");
        var password = ReadSecret(Path.Combine(_output, ".env"));
        Assert.Equal(password, Map(Map(resolved, "postgres"), "environment")[PasswordKey]);
        Assert.Equal($"Host=postgres;Port=5432;Username=postgres;Password={password};Database=catalog", Map(Map(resolved, "recommendations"), "environment")[CatalogVariable]);
    }

    [Fact]
    public async Task Regenerating_gives_the_same_files_and_keeps_the_secrets()
    {
        var before = await SnapshotAsync(_output);
        var secrets = await SnapshotAsync(_output, secret: true);
        Assert.Contains(Path.Combine("recommendations", "tls", "tls.key"), secrets.Keys);
        var fresh = Directory.CreateTempSubdirectory("bookstore-regenerate-").FullName;
        try
        {
            // Over the old output (as scripts/generate-deployment.sh does), into an empty folder, and the secrets script again.
            var (exitCode, output) = await Command.DeploymentGeneratorAsync(Manifest, _output);
            Assert.True(exitCode == 0, output);
            (exitCode, output) = await Command.DeploymentGeneratorAsync(Manifest, fresh);
            Assert.True(exitCode == 0, output);
            (exitCode, output) = await GenerateSecretsAsync(_output);
            Assert.True(exitCode == 0, output);

            Assert.Equal(before, await SnapshotAsync(_output));
            var freshFiles = await SnapshotAsync(fresh);
            Assert.Equal(before.Keys.Where(file => file != "aspire-manifest.json"), freshFiles.Keys);
            Assert.All(freshFiles, file => Assert.Equal(before[file.Key], file.Value));
            // The password and the certificates are kept (a certificate is issued again only when it is no longer good).
            Assert.Equal(secrets, await SnapshotAsync(_output, secret: true));
        }
        finally
        {
            Directory.Delete(fresh, recursive: true);
        }
    }

    /// <summary>Every file of a generated folder but the secret ones, by relative path.</summary>
    /// <summary>The generated files (or, with <paramref name="secret"/>, the git-ignored secrets: env files, certificates and keys) by relative path.</summary>
    private static async Task<SortedDictionary<string, string>> SnapshotAsync(string directory, bool secret = false)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(directory, file);
            var isSecret = SecretFiles.Contains(relative) || relative.StartsWith("certs" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                || relative.Split(Path.DirectorySeparatorChar) is [_, "tls" or "dataprotection", _];
            if (isSecret == secret)
            {
                files[relative] = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);
            }
        }

        return files;
    }

    private static Task<(int ExitCode, string Output)> GenerateSecretsAsync(string directory) =>
        Command.RunAsync("bash", RepoPaths.Root, [Path.Combine(RepoPaths.Root, "scripts", "generate-secrets.sh"), directory],
            environment: new Dictionary<string, string> { ["CONFIGURATION"] = RepoPaths.Configuration });

    private static Task<(int ExitCode, string Output)> DockerComposeConfigAsync(string directory, params string[] options) =>
        Command.RunAsync("docker-compose", directory, ["-f", Path.Combine(directory, "docker-compose.yaml"), "config", .. options]);

    /// <summary>The value of the one KEY=value line of a secret env file.</summary>
    private static string ReadSecret(string envFile)
    {
        var line = Assert.Single(File.ReadAllLines(envFile));
        Assert.StartsWith($"{PasswordKey}=", line, StringComparison.Ordinal);
        return line[(PasswordKey.Length + 1)..];
    }

    private static void AssertHardened(Dictionary<object, object> container)
    {
        var security = Map(container, "securityContext");
        Assert.Equal("true", security["readOnlyRootFilesystem"]);
        Assert.Equal("false", security["allowPrivilegeEscalation"]);
        Assert.Equal(["ALL"], List(Map(security, "capabilities"), "drop"));
        Assert.True(Map(container, "resources").ContainsKey("requests"));
        Assert.True(Map(container, "resources").ContainsKey("limits"));
    }

    private Dictionary<object, object> ConfigMapData(Dictionary<object, object> container)
    {
        var name = (string)Map(Map(List(container, "envFrom").Single()), "configMapRef")["name"];
        return Map(Objects("ConfigMap").Single(map => Name(map) == name), "data");
    }

    private static string CatalogEnv(Dictionary<object, object> container) =>
        (string)List(container, "env").Select(Map).Single(variable => Equals(variable["name"], CatalogVariable))["value"];

    private static Dictionary<object, object> Container(Dictionary<object, object> workload) =>
        Map(List(Map(Map(Map(workload, "spec"), "template"), "spec"), "containers").Single());

    private IEnumerable<Dictionary<object, object>> Objects(string kind) => _objects.Where(item => Equals(item["kind"], kind));

    private static string Name(Dictionary<object, object> item) => (string)Map(item, "metadata")["name"];

    private static Dictionary<object, object> Map(object value) => (Dictionary<object, object>)value;

    private static Dictionary<object, object> Map(Dictionary<object, object> parent, string key) => Map(parent[key]);

    private static List<object> List(Dictionary<object, object> parent, string key) => (List<object>)parent[key];

    /// <summary>Two parsed YAML values are equal: the same text once serialized again.</summary>
    private sealed class YamlEquality : IEqualityComparer<object>
    {
        private static readonly ISerializer Serializer = new SerializerBuilder().Build();

        public new bool Equals(object? x, object? y) => Serializer.Serialize(x) == Serializer.Serialize(y);

        public int GetHashCode(object obj) => Serializer.Serialize(obj).GetHashCode(StringComparison.Ordinal);
    }
}
