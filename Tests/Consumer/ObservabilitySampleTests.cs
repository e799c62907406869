using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Consumer;

/// <summary>
/// samples/Observability is docs/observability.md's OpenTelemetry example as a program (the AkCache
/// meter and ActivitySource to OpenTelemetry's console exporter), built outside the solution by the
/// real MSBuild pipeline and run against a real Redis: what it prints is what the page says.
/// </summary>
public sealed class ObservabilitySampleTests : IDisposable
{
    private readonly RedisTestServer _server = RedisTestServer.Start();

    public void Dispose() => _server.Dispose();

    [Fact]
    public void The_OpenTelemetry_example_exports_the_spans_of_each_miss_and_the_calls_by_outcome()
    {
        var root = ProcessRunner.RepositoryRoot();
        var project = Path.Combine(root, "samples", "Observability", "Observability.csproj");
        var build = ProcessRunner.Run("dotnet", new[] { "build", project, "-c", "Release", "-nodeReuse:false", "--disable-build-servers" }, root, timeout: TimeSpan.FromMinutes(8));
        Assert.True(build.ExitCode == 0, build.ToString());

        var dll = Path.Combine(root, "samples", "Observability", "bin", "Release", "net10.0", "Observability.dll");
        var environment = new Dictionary<string, string?> { ["AKCACHE_REDIS_URL"] = _server.Url, ["AKCACHE_PREFIX"] = "otel" + Guid.NewGuid().ToString("N").Substring(0, 10) };
        var run = ProcessRunner.Run("dotnet", new[] { dll }, root, environment, TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, run.ToString());

        // Five calls of two symbols: two misses, each a miss span with a computation span under the lock.
        Assert.Equal(5, Regex.Matches(run.Output, @"(?m)^(600519|000858): [\d.]+$").Count);
        Assert.Equal(2, Regex.Matches(run.Output, @"Activity\.DisplayName:\s+akcache\.miss").Count);
        Assert.Equal(2, Regex.Matches(run.Output, @"Activity\.DisplayName:\s+akcache\.compute").Count);
        Assert.Equal(2, Regex.Matches(run.Output, @"akcache\.outcome: computed\s*$", RegexOptions.Multiline).Count(m => !IsMetricLine(run.Output, m.Index)));
        Assert.Equal(2, Regex.Matches(run.Output, @"akcache\.locked: true").Count);

        // The meter's last export: two computations, three hits (from the local layer or Redis), nothing else.
        int Calls(string outcome) => Regex.Matches(run.Output, $@"akcache\.outcome: {outcome} \r?\nValue: (\d+)").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Last();
        Assert.Equal(2, Calls("computed"));
        Assert.Equal(3, Calls("local_hit") + Calls("redis_hit"));
        Assert.Equal(0, Calls("waited") + Calls("fallback"));
        Assert.Contains("Metric Name: akcache.computation.duration", run.Output);
    }

    /// <summary>A metric point's line starts with its time range: "(start, end] tags".</summary>
    private static bool IsMetricLine(string output, int index)
    {
        var start = output.LastIndexOf('\n', index) + 1;
        return output[start] == '(';
    }
}
