using System.IO;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace AkCache.Benchmarks.Drivers;

/// <summary>Items 1-6 and 8, through BenchmarkDotNet: each benchmark runs in a process of its own.</summary>
internal static class BenchmarkDriver
{
    public static int Run(string[] args, bool quick, string results)
    {
        // The full job is shorter than BenchmarkDotNet's default (which lets the pilot pick up to 100
        // iterations) so that bench/run.sh stays under 25 minutes on 2 cores: 1 launch, 5 warmup and
        // 20 measured iterations of about 250 ms each.
        var job = quick
            ? Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).WithIterationTime(TimeInterval.FromMilliseconds(40)).WithId("quick")
            : Job.Default.WithLaunchCount(1).WithWarmupCount(5).WithIterationCount(20).WithIterationTime(TimeInterval.FromMilliseconds(250)).WithId("bench");
        var config = DefaultConfig.Instance
            .AddJob(job)
            .AddExporter(JsonExporter.Full)
            .WithArtifactsPath(Path.Combine(results, "bdn"))
            .WithOptions(ConfigOptions.DisableLogFile);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkDriver).Assembly).Run(args, config);
        foreach (var summary in summaries)
        {
            if (summary.HasCriticalValidationErrors || summary.Reports.Length == 0)
            {
                return 1;
            }

            foreach (var report in summary.Reports)
            {
                if (!report.Success)
                {
                    return 1;
                }
            }
        }

        return 0;
    }
}
