using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Bookstore.AppHost.Extensions;
using Bookstore.Tests.Distributed;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bookstore.Tests.AppHost;

/// <summary>Our Aspire extensions on a small model of their own, next to what Aspire does without them.</summary>
[Collection(AspireApps.Name)]
public sealed class ExtensionTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = AspireApps.TestTimeout)]
    public async Task Aspires_http_check_never_sees_an_h2c_service_healthy_the_transport_check_does_and_both_run_from_the_build_output()
    {
        // The AppHost's builder (its DCP, dashboard settings and extensions) with a model of the test's own.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Bookstore_AppHost>(Cancellation);
        foreach (var resource in builder.Resources.ToList())
        {
            builder.Resources.Remove(resource);
        }

        // No launch profile: each resource gets one HTTP/2-only endpoint on a port of its own.
        builder.AddProject<Projects.Bookstore_Recommendations>("aspires-check", launchProfileName: null)
            .WithHttpEndpoint().AsHttp2Service().WithHttpHealthCheck("/health");
        builder.AddProject<Projects.Bookstore_Recommendations>("transport-check", launchProfileName: null)
            .WithHttpEndpoint().AsHttp2Service().WithTransportHealthCheck("/health");
        builder.RunProjectsFromBuildOutput();
        await using var app = await builder.BuildAsync(Cancellation);
        await app.StartAsync(Cancellation);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await app.ResourceNotifications.WaitForResourceHealthyAsync("transport-check", timeout.Token);
        // Aspire checks again 1, 2, 3 s after an unhealthy answer: give it those chances.
        await Task.Delay(TimeSpan.FromSeconds(4), Cancellation);

        Assert.True(app.ResourceNotifications.TryGetCurrentState("aspires-check", out var aspires));
        Assert.Equal(KnownResourceStates.Running, aspires.Snapshot.State?.Text);
        Assert.NotEqual(HealthStatus.Healthy, aspires.Snapshot.HealthStatus);
        Assert.True(app.ResourceNotifications.TryGetCurrentState("transport-check", out var ours));
        foreach (var snapshot in new[] { aspires.Snapshot, ours.Snapshot })
        {
            var path = snapshot.Properties.Single(property => property.Name == "executable.path").Value as string;
            Assert.EndsWith("/bin/" + RepoPathsConfiguration + "/net10.0/Bookstore.Recommendations", path, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Dcp_is_pointed_at_the_container_runtime_that_is_not_installed_only_when_one_is()
    {
        var root = Directory.CreateTempSubdirectory("bookstore-path-").FullName;
        try
        {
            string Folder(string name, params string[] tools)
            {
                var folder = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
                foreach (var tool in tools)
                {
                    File.WriteAllText(Path.Combine(folder, tool), "");
                }

                return folder;
            }

            var docker = Folder("docker-only", "docker");
            var podman = Folder("podman-only", "podman");
            var empty = Folder("empty");
            Assert.Equal("podman", ContainerRuntimeExtensions.AbsentRuntime(string.Join(Path.PathSeparator, empty, docker)));
            Assert.Equal("docker", ContainerRuntimeExtensions.AbsentRuntime(podman));
            Assert.Null(ContainerRuntimeExtensions.AbsentRuntime(string.Join(Path.PathSeparator, docker, podman)));
            Assert.Null(ContainerRuntimeExtensions.AbsentRuntime(empty));
            Assert.Null(ContainerRuntimeExtensions.AbsentRuntime(null));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory(Timeout = AspireApps.TestTimeout)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_apphost_leaves_the_container_runtime_alone_when_its_model_has_a_container(bool postgres)
    {
        string[] args = postgres ? ["--database", "postgres"] : [];
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Bookstore_AppHost>(args, Cancellation);
        var expected = postgres ? null : ContainerRuntimeExtensions.AbsentRuntime(Environment.GetEnvironmentVariable("PATH"));
        Assert.Equal(postgres, builder.Resources.Any(resource => resource.IsContainer()));
        Assert.Equal(expected, builder.Configuration[ContainerRuntimeExtensions.ContainerRuntimeKey]);
    }

    private static string RepoPathsConfiguration => Infrastructure.RepoPaths.Configuration;

    [Fact]
    public void The_kept_dcp_certificate_is_made_once_readable_by_its_owner_only_and_reused()
    {
        var folder = Directory.CreateTempSubdirectory("bookstore-dcp-cert-").FullName;
        try
        {
            var path = Path.Combine(folder, "dcp", "apiserver.pfx");

            using var made = DcpCertificateService.LoadOrCreate(path);
            using var kept = DcpCertificateService.LoadOrCreate(path);

            Assert.True(made.HasPrivateKey);
            Assert.Equal(made.Thumbprint, kept.Thumbprint);
            Assert.True(made.NotAfter > DateTime.Now.AddDays(300));
            Assert.Contains("localhost", made.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.DnsName, forIssuer: false), StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_ordered_shutdown_waits_for_a_process_that_is_not_its_child_until_it_has_exited()
    {
        // As the AppHost sees a service: DCP's child, not its own. A shell starts `sleep` in the background and exits,
        // so the sleep's parent is gone and this process is not it.
        using var shell = Process.Start(new ProcessStartInfo("sh", ["-c", "sleep 1 >/dev/null 2>&1 & echo $!"]) { RedirectStandardOutput = true })!;
        var pid = int.Parse((await shell.StandardOutput.ReadLineAsync(Cancellation))!, System.Globalization.CultureInfo.InvariantCulture);
        await shell.WaitForExitAsync(Cancellation);
        Assert.True(BookstoreApp.IsRunning(pid));

        await OrderedShutdown.WaitForExitAsync(pid, Cancellation);

        Assert.False(BookstoreApp.IsRunning(pid));
        // A process already gone: nothing to wait for.
        await OrderedShutdown.WaitForExitAsync(pid, Cancellation);
    }
}
