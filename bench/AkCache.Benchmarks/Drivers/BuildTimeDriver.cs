using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using AkCache.Benchmarks.Infrastructure;

namespace AkCache.Benchmarks.Drivers;

/// <summary>
/// Item 9: the build time that weaving adds. A project with 1,000 [Memoize] methods of four shapes
/// (sync and async, primitive and object arguments) is generated under bench/results, inside the
/// repository so that Directory.Build.props and Directory.Packages.props apply as to any project
/// here. Each repetition touches one source file and times `dotnet build` twice: woven
/// (FodyWeavers.xml present) and not (-p:DisableFody=true); the order alternates between repetitions.
/// </summary>
internal static class BuildTimeDriver
{
    private const int Methods = 1_000;
    private const int MethodsPerFile = 100;

    public static int Run(bool quick, string results)
    {
        var repetitions = quick ? 1 : 5;
        var repository = FindRepository();
        var weaver = Path.Combine(repository, "AkCache.Fody", "bin", "Release", "netstandard2.0", "AkCache.Fody.dll");
        if (!File.Exists(weaver))
        {
            throw new InvalidOperationException($"{weaver} is missing: build bench/AkCache.Benchmarks in Release first (bench/run.sh does).");
        }

        var project = Path.Combine(repository, "bench", "results", "build-time-project");
        Generate(project, repository);
        var csproj = Path.Combine(project, "BuildTime.csproj");
        Dotnet(project, "restore", csproj);

        // One untimed build of each kind: the compiler server and MSBuild nodes are warm in both.
        var woven = Build(project, csproj, weave: true);
        if (!woven.Output.Contains($"memoized {Methods} methods", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The woven build did not report {Methods} memoized methods:\n{woven.Output}");
        }

        Build(project, csproj, weave: false);

        var timings = new List<object>();
        var wovenMs = new List<double>();
        var plainMs = new List<double>();
        var fodyMs = new List<double>();
        for (var repetition = 1; repetition <= repetitions; repetition++)
        {
            foreach (var weave in repetition % 2 == 1 ? new[] { true, false } : new[] { false, true })
            {
                var build = Build(project, csproj, weave);
                (weave ? wovenMs : plainMs).Add(build.Milliseconds);
                if (weave && build.FodyMilliseconds is double fody)
                {
                    fodyMs.Add(fody);
                }

                Console.WriteLine($"repetition {repetition}: {(weave ? "woven" : "not woven"),-9} {build.Milliseconds,7:F0} ms{(weave ? $" (Fody reports {build.FodyMilliseconds:F0} ms)" : string.Empty)}");
                timings.Add(new { Repetition = repetition, Woven = weave, Milliseconds = Math.Round(build.Milliseconds), build.FodyMilliseconds });
            }
        }

        var difference = Median(wovenMs) - Median(plainMs);
        var pairwise = Median(wovenMs.Zip(plainMs, (w, p) => w - p).ToList());
        Console.WriteLine($"median woven {Median(wovenMs):F0} ms, not woven {Median(plainMs):F0} ms: weaving adds {difference:F0} ms (median of pairwise differences {pairwise:F0} ms; Fody's own time {Median(fodyMs):F0} ms)");
        BenchResults.Write(results, "build-time", new
        {
            Methods,
            Repetitions = repetitions,
            Command = "dotnet build BuildTime.csproj -c Release --no-restore -p:BuildProjectReferences=false [-p:DisableFody=true], after touching one source file",
            MedianWovenMs = Math.Round(Median(wovenMs)),
            MedianNotWovenMs = Math.Round(Median(plainMs)),
            DifferenceMs = Math.Round(difference),
            MedianPairwiseDifferenceMs = Math.Round(pairwise),
            MedianFodyMs = fodyMs.Count > 0 ? Math.Round(Median(fodyMs)) : (double?)null,
            Timings = timings,
        });
        return 0;
    }

    private static (double Milliseconds, double? FodyMilliseconds, string Output) Build(string project, string csproj, bool weave)
    {
        File.SetLastWriteTimeUtc(Path.Combine(project, "Generated00.cs"), DateTime.UtcNow);
        var arguments = new List<string> { "build", csproj, "-c", "Release", "--no-restore", "-p:BuildProjectReferences=false", "-v:n" };
        if (!weave)
        {
            arguments.Add("-p:DisableFody=true");
        }

        var clock = Stopwatch.StartNew();
        var output = Dotnet(project, arguments.ToArray());
        var elapsed = clock.Elapsed.TotalMilliseconds;
        var fody = Regex.Match(output, @"Finished Fody (\d+)ms");
        return (elapsed, fody.Success ? double.Parse(fody.Groups[1].Value, CultureInfo.InvariantCulture) : null, output);
    }

    private static string Dotnet(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} failed with exit code {process.ExitCode}:\n{output}\n{error.Result}");
        }

        return output;
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AkCache.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find AkCache.sln above " + AppContext.BaseDirectory);
    }

    private static void Generate(string project, string repository)
    {
        if (Directory.Exists(project))
        {
            Directory.Delete(project, recursive: true);
        }

        Directory.CreateDirectory(project);
        var relative = Path.GetRelativePath(project, repository);
        File.WriteAllText(Path.Combine(project, "BuildTime.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <!-- Generated by bench/AkCache.Benchmarks (build-time): {Methods} [Memoize] methods, woven like samples/Smoke. -->
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <RootNamespace>BuildTime</RootNamespace>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Fody" PrivateAssets="All" />
              </ItemGroup>
              <ItemGroup>
                <ProjectReference Include="{relative}/AkCache.Attributes/AkCache.Attributes.csproj" />
                <ProjectReference Include="{relative}/AkCache.Runtime/AkCache.Runtime.csproj" />
                <WeaverFiles Include="{relative}/AkCache.Fody/bin/Release/netstandard2.0/AkCache.Fody.dll" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "FodyWeavers.xml"), "<Weavers>\n  <AkCache />\n</Weavers>\n");
        File.WriteAllText(Path.Combine(project, "Item.cs"), """
            namespace BuildTime;

            public sealed class Item
            {
                public int Id { get; set; }

                public string Name { get; set; } = string.Empty;
            }
            """);
        for (var file = 0; file < Methods / MethodsPerFile; file++)
        {
            var text = new StringBuilder();
            text.AppendLine("using System.Threading.Tasks;");
            text.AppendLine("using AkCache;");
            text.AppendLine();
            text.AppendLine("namespace BuildTime;");
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"public static class Generated{file:D2}");
            text.AppendLine("{");
            for (var m = 0; m < MethodsPerFile; m++)
            {
                var n = (file * MethodsPerFile) + m;
                text.AppendLine((n % 4) switch
                {
                    0 => $"    [Memoize] public static int M{n}(int a, int b) => (a * {n}) + b;",
                    1 => $"    [Memoize] public static string M{n}(string s, int count) => s + \"-{n}-\" + count;",
                    2 => $"    [Memoize(MaxAgeSeconds = {60 + n})] public static async Task<long> M{n}(long value) {{ await Task.Yield(); return value + {n}; }}",
                    _ => $"    [Memoize] public static Item M{n}(Item item, int[] values) => new Item {{ Id = item.Id + values.Length + {n}, Name = item.Name }};",
                });
                text.AppendLine();
            }

            text.AppendLine("}");
            File.WriteAllText(Path.Combine(project, $"Generated{file:D2}.cs"), text.ToString());
        }
    }
}
