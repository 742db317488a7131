using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Bookstore.AppHost.Extensions;
using Bookstore.Tests.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bookstore.Tests.AppHost;

/// <summary>The services ahead of the app's other processes on the CPU while they start, and back at the normal priority afterwards.</summary>
[Collection(AspireApps.Name)]
public sealed class ServicesPriorityTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_thread_of_a_process_gets_the_nice_value_and_gets_it_back()
    {
        using var child = Process.Start(new ProcessStartInfo("sleep", ["60"]))!;
        try
        {
            ProcessPriority.SetNice(child.Id, ServicesPriorityExtensions.StartingNice);
            Assert.All(ProcessPriority.Nice(child.Id), nice => Assert.Equal(ServicesPriorityExtensions.StartingNice, nice));

            ProcessPriority.SetNice(child.Id, 0);
            Assert.All(ProcessPriority.Nice(child.Id), nice => Assert.Equal(0, nice));
            Assert.NotEmpty(ProcessPriority.Nice(child.Id));
        }
        finally
        {
            child.Kill();
            await child.WaitForExitAsync(Cancellation);
        }

        // A process that has exited: nothing to change, nothing to read.
        ProcessPriority.SetNice(child.Id, 0);
        Assert.Empty(ProcessPriority.Nice(child.Id));
    }

    [Fact(Timeout = AspireApps.TestTimeout)]
    public async Task A_service_runs_ahead_until_every_resource_is_ready()
    {
        // The AppHost's builder (its Program adds RaiseServicesPriorityWhileStarting) with one service whose readiness
        // the test holds back.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Bookstore_AppHost>([], Cancellation);
        foreach (var resource in builder.Resources.ToList())
        {
            builder.Resources.Remove(resource);
        }

        var ready = false;
        builder.Services.AddHealthChecks().AddCheck("held", () => Volatile.Read(ref ready) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("held back by the test"));
        builder.AddProject<Projects.Bookstore_Recommendations>("held", launchProfileName: null).WithHttpEndpoint().AsHttp2Service().WithHealthCheck("held");
        builder.RunProjectsFromBuildOutput();
        await using var app = await builder.BuildAsync(Cancellation);
        await app.StartAsync(Cancellation);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var held = await app.ResourceNotifications.WaitForResourceAsync(
            "held", change => ServicesPriorityExtensions.ProcessId(change) > 0, timeout.Token);
        var pid = ServicesPriorityExtensions.ProcessId(held);

        // While it is not ready: every thread of it at nice -10, those it started since included.
        await WaitUntilAsync(() => ProcessPriority.Nice(pid) is { Count: > 0 } nices && nices.All(nice => nice == ServicesPriorityExtensions.StartingNice), timeout.Token);
        await app.ResourceNotifications.WaitForResourceAsync("held", KnownResourceStates.Running, timeout.Token);
        await WaitUntilAsync(() => ProcessPriority.Nice(pid).Count > 1, timeout.Token);
        Assert.All(ProcessPriority.Nice(pid), nice => Assert.Equal(ServicesPriorityExtensions.StartingNice, nice));

        // Ready: back at nice 0.
        Volatile.Write(ref ready, true);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("held", timeout.Token);
        await WaitUntilAsync(() => ProcessPriority.Nice(pid) is { Count: > 0 } nices && nices.All(nice => nice == 0), timeout.Token);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(20, cancellationToken);
        }
    }
}
