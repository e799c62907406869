using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Consumer;

/// <summary>
/// samples/Smoke is a consumer outside the solution, woven by the real MSBuild pipeline from its
/// FodyWeavers.xml. Its worker runs as separate OS processes that share results through Redis.
/// </summary>
public sealed class SmokeSampleTests : IClassFixture<SmokeSampleTests.BuiltSample>, IDisposable
{
    private readonly BuiltSample _sample;
    private readonly RedisTestServer _server = RedisTestServer.Start();
    private readonly string _prefix = "smoke" + Guid.NewGuid().ToString("N").Substring(0, 10);

    public SmokeSampleTests(BuiltSample sample, Xunit.Abstractions.ITestOutputHelper output)
    {
        _sample = sample;
        output.WriteLine($"server: {_server}");
    }

    public void Dispose() => _server.Dispose();

    [Fact]
    public void A_second_process_reads_what_the_first_computed()
    {
        var first = RunWorker();
        var second = RunWorker();

        Assert.Equal(6, first.ApiCalls);
        Assert.Equal(0, second.ApiCalls);
        Assert.Equal(first.Results, second.Results);
        Assert.Contains("result SectorOf(000001) = null", second.Results);
    }

    [Fact]
    public void With_Redis_stopped_a_process_still_returns_the_right_results()
    {
        var healthy = RunWorker();
        _server.Stop();

        var degraded = RunWorker();

        Assert.Equal(healthy.Results, degraded.Results);
        Assert.Equal(6, degraded.ApiCalls);
        Assert.Contains("is unavailable", degraded.Run.Error);
        Assert.Single(degraded.Run.Error.Split('\n'), l => l.Contains("is unavailable"));
    }

    [Fact]
    public void After_a_restart_processes_share_results_again()
    {
        RunWorker();
        _server.Restart();

        var cold = RunWorker();
        var warm = RunWorker();

        Assert.Equal(6, cold.ApiCalls);
        Assert.Equal(0, warm.ApiCalls);
        Assert.Equal(cold.Results, warm.Results);
    }

    [Fact]
    public void The_demo_runs_two_workers_and_the_second_computes_nothing()
    {
        var demo = ProcessRunner.Run("dotnet", new[] { _sample.Dll }, _sample.Directory, new Dictionary<string, string?> { ["AKCACHE_REDIS_URL"] = _server.Url });
        Assert.True(demo.ExitCode == 0, demo.ToString());
        var rows = demo.Output.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(c => c.Length == 4 && c[3] == "ms").ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(new[] { "1", "6" }, rows[0].Take(2));
        Assert.Equal(new[] { "2", "0" }, rows[1].Take(2));
    }

    private WorkerRun RunWorker()
    {
        var run = ProcessRunner.Run(
            "dotnet",
            new[] { _sample.Dll, "worker" },
            _sample.Directory,
            new Dictionary<string, string?> { ["AKCACHE_REDIS_URL"] = _server.Url, ["AKCACHE_PREFIX"] = _prefix },
            TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Output.Split('\n').Select(l => l.Trim()).ToList();
        var results = string.Join("\n", lines.Where(l => l.StartsWith("result ", StringComparison.Ordinal)));
        var summary = lines.Single(l => l.StartsWith("api-calls=", StringComparison.Ordinal));
        var apiCalls = int.Parse(summary.Split(' ')[0].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
        return new WorkerRun(run, results, apiCalls);
    }

    private sealed record WorkerRun(ProcessRunner.Result Run, string Results, int ApiCalls);

    /// <summary>Builds samples/Smoke once, in Release, with `dotnet build` as a user would.</summary>
    public sealed class BuiltSample
    {
        public BuiltSample()
        {
            var root = ProcessRunner.RepositoryRoot();
            var project = Path.Combine(root, "samples", "Smoke", "Smoke.csproj");
            var build = ProcessRunner.Run("dotnet", new[] { "build", project, "-c", "Release", "-nodeReuse:false", "--disable-build-servers" }, root, timeout: TimeSpan.FromMinutes(8));
            Assert.True(build.ExitCode == 0, build.ToString());
            Directory = Path.Combine(root, "samples", "Smoke", "bin", "Release", "net10.0");
            Dll = Path.Combine(Directory, "Smoke.dll");
            Assert.DoesNotContain("AkCache.Attributes", AssemblyReferences(Dll));
            Assert.Contains("AkCache.Runtime", AssemblyReferences(Dll));
        }

        public string Directory { get; }

        public string Dll { get; }

        private static List<string> AssemblyReferences(string dll)
        {
            using var stream = File.OpenRead(dll);
            using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
            var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
            return metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name)).ToList();
        }
    }
}
