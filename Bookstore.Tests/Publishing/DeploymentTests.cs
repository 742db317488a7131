using Bookstore.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using YamlDotNet.Serialization;

namespace Bookstore.Tests.Publishing;

/// <summary>Bookstore.DeploymentGenerator on the manifest Aspire publishes: Kustomize and Compose manifests that real tools accept.</summary>
public sealed class DeploymentTests : IAsyncLifetime
{
    private static readonly string[] ProbePaths = [ServiceDefaultsExtensions.HealthEndpointPath, ServiceDefaultsExtensions.AlivenessEndpointPath];

    private static readonly string[] Probes = ["startupProbe", "readinessProbe", "livenessProbe"];

    private readonly string _output = Directory.CreateTempSubdirectory("bookstore-generate-").FullName;
    private List<Dictionary<object, object>> _objects = [];
    private string _kustomized = "";

    public async ValueTask InitializeAsync()
    {
        var manifest = Path.Combine(_output, "aspire-manifest.json");
        var (exitCode, output) = await Command.AppHostAsync("--publisher", "manifest", "--output-path", manifest);
        Assert.True(exitCode == 0, output);
        (exitCode, output) = await Command.DeploymentGeneratorAsync(manifest, _output);
        Assert.True(exitCode == 0, output);
        (exitCode, _kustomized) = await Command.RunAsync("kubectl", _output, ["kustomize", _output]);
        Assert.True(exitCode == 0, $"kubectl kustomize failed: {_kustomized}");
        var deserializer = new DeserializerBuilder().Build();
        _objects = [.. _kustomized.Split("\n---\n").Select(document => deserializer.Deserialize<Dictionary<object, object>>(document))];
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
    public async Task The_https_bindings_aspire_adds_on_publish_are_left_out()
    {
        var compose = await File.ReadAllTextAsync(Path.Combine(_output, "docker-compose.yaml"), TestContext.Current.CancellationToken);

        Assert.Contains("services__recommendations__http__0: http://recommendations:8080", compose, StringComparison.Ordinal);
        Assert.DoesNotContain("https", compose, StringComparison.Ordinal);
        Assert.DoesNotContain("{", compose, StringComparison.Ordinal);
    }

    [Fact]
    public void The_layout_is_aspirates()
    {
        foreach (var file in new[] { "kustomization.yaml", "docker-compose.yaml", "aspire-manifest.json" })
        {
            Assert.True(File.Exists(Path.Combine(_output, file)), file);
        }

        foreach (var resource in new[] { "recommendations", "marketplace" })
        {
            foreach (var file in new[] { "deployment.yaml", "service.yaml", "serviceaccount.yaml", "kustomization.yaml" })
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
        Assert.Equal(8, output.Split('\n').Count(line => line.StartsWith("ok ", StringComparison.Ordinal)));
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
        var (exitCode, output) = await Command.RunAsync("docker-compose", _output, ["-f", Path.Combine(_output, "docker-compose.yaml"), "config", "-q"]);

        Assert.True(exitCode == 0, output);
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
            var security = Map(container, "securityContext");
            Assert.Equal("true", security["readOnlyRootFilesystem"]);
            Assert.Equal("false", security["allowPrivilegeEscalation"]);
            Assert.Equal(["ALL"], List(Map(security, "capabilities"), "drop"));
            Assert.True(Map(container, "resources").ContainsKey("limits"));
            var ports = List(container, "ports").Select(Map).ToList();
            foreach (var probe in Probes.Select(key => Map(container, key)))
            {
                if (probe.TryGetValue("httpGet", out var httpGet))
                {
                    Assert.Contains((string)Map(httpGet)["path"], ProbePaths);
                    Assert.Contains(ports, port => Equals(port["name"], Map(httpGet)["port"]));
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

        // Every service-discovery URL names a Service and one of its ports.
        var discovery = configMaps.SelectMany(map => Map(map, "data")).Where(entry => ((string)entry.Key).StartsWith("services__", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(discovery);
        foreach (var entry in discovery)
        {
            var url = new Uri((string)entry.Value);
            Assert.True(services.TryGetValue(url.Host, out var target), $"{entry.Key}={entry.Value} names no Service.");
            Assert.Contains(List(Map(target, "spec"), "ports").Select(Map), port => Equals(port["port"], url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    private IEnumerable<Dictionary<object, object>> Objects(string kind) => _objects.Where(item => Equals(item["kind"], kind));

    private static string Name(Dictionary<object, object> item) => (string)Map(item, "metadata")["name"];

    private static Dictionary<object, object> Map(object value) => (Dictionary<object, object>)value;

    private static Dictionary<object, object> Map(Dictionary<object, object> parent, string key) => Map(parent[key]);

    private static List<object> List(Dictionary<object, object> parent, string key) => (List<object>)parent[key];
}
