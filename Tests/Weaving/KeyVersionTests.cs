using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AkCache.Fody;
using AkCache.Tests.Support;
using Fody;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Xunit;

namespace AkCache.Tests.Weaving;

/// <summary>
/// The version part of a key is a hash of the method's implementation: an unchanged method keeps its
/// keys across rebuilds, a changed one gets fresh keys, and no other method is affected.
/// </summary>
public sealed class KeyVersionTests
{
    /// <summary>Identity to version, as the woven stubs pass them to MemoizedMethod.Create.</summary>
    internal static Dictionary<string, string> Versions(string wovenPath)
    {
        using var module = ModuleDefinition.ReadModule(wovenPath);
        var versions = new Dictionary<string, string>();
        foreach (var type in module.GetTypes())
        {
            foreach (var stub in type.Methods.Where(m => type.Methods.Any(o => o.Name == m.Name + "$Original")))
            {
                var strings = stub.Body.Instructions.Where(i => i.OpCode == OpCodes.Ldstr).Select(i => (string)i.Operand).ToList();
                versions[strings[0]] = strings[1];
            }
        }

        return versions;
    }

    private static TestResult Weave(string path, string name, Action<ModuleDefinition>? change = null) =>
        new ModuleWeaver().ExecuteTestRun(path, runPeVerify: false, beforeExecuteCallback: change, assemblyName: name);

    [Fact]
    public void Every_method_gets_an_eight_digit_version_and_a_pinned_version_is_kept()
    {
        var versions = Versions(WovenAssembly.Result.AssemblyPath);
        Assert.True(versions.ContainsKey("AssemblyToProcess.Basic.Pinned(System.Int32)"), string.Join("\n", versions.Keys));
        Assert.True(versions.Count >= 40, $"only {versions.Count} stubs found");
        Assert.Equal("pinned-1", versions["AssemblyToProcess.Basic.Pinned(System.Int32)"]);
        Assert.All(versions.Where(v => !v.Key.Contains(".Pinned(")), v => Assert.Matches("^[0-9a-f]{8}$", v.Value));
    }

    /// <summary>
    /// Compiles AssemblyToProcess again from scratch (in its own bin/Release; the tests use copies)
    /// and compares the woven versions with those of the Release copy built with the tests.
    /// </summary>
    [Fact]
    public void Recompiling_an_unchanged_project_keeps_every_version()
    {
        var root = ProcessRunner.RepositoryRoot();
        var project = Path.Combine(root, "AssemblyToProcess");
        var build = ProcessRunner.Run(
            "dotnet",
            new[] { "build", Path.Combine(project, "AssemblyToProcess.csproj"), "-c", "Release", "--no-incremental", "--no-dependencies", "-nodeReuse:false" },
            root,
            timeout: TimeSpan.FromMinutes(4));
        Assert.True(build.ExitCode == 0, build.ToString());
        var rebuilt = Path.Combine(AppContext.BaseDirectory, "AssemblyToProcess.Rebuilt");
        Directory.CreateDirectory(rebuilt);
        foreach (var file in new[] { "AssemblyToProcess.dll", "AssemblyToProcess.pdb" })
        {
            File.Copy(Path.Combine(project, "bin", "Release", "net10.0", file), Path.Combine(rebuilt, file), overwrite: true);
        }

        var again = Weave(Path.Combine(rebuilt, "AssemblyToProcess.dll"), "AssemblyToProcessRebuilt");

        var before = Versions(Woven.Release.Result.AssemblyPath);
        var after = Versions(again.AssemblyPath);
        Assert.Equal(before.Count, after.Count);
        Assert.Empty(before.Where(v => after[v.Key] != v.Value).Select(v => v.Key));
    }

    [Fact]
    public void Changing_one_method_body_changes_only_that_methods_version()
    {
        var changed = Weave("AssemblyToProcess.dll", "AssemblyToProcessChanged", module =>
        {
            var greet = module.GetType("AssemblyToProcess.Basic").Methods.Single(m => m.Name == "Greet");
            var literal = greet.Body.Instructions.Single(i => i.OpCode == OpCodes.Ldstr && (string)i.Operand == "Hello, ");
            literal.Operand = "Hi, ";
        });

        var before = Versions(WovenAssembly.Result.AssemblyPath);
        var after = Versions(changed.AssemblyPath);
        var different = before.Keys.Where(k => before[k] != after[k]).ToList();
        Assert.Equal(new[] { "AssemblyToProcess.Basic.Greet(System.String)" }, different);
    }

    [Fact]
    public void Changing_the_shape_of_the_result_type_changes_the_version_of_the_methods_returning_it()
    {
        var changed = Weave("AssemblyToProcess.dll", "AssemblyToProcessReshaped", module =>
        {
            var quote = module.GetType("AssemblyToProcess.Quote");
            quote.Fields.Add(new FieldDefinition("Currency", FieldAttributes.Public, module.TypeSystem.String));
        });

        var before = Versions(WovenAssembly.Result.AssemblyPath);
        var after = Versions(changed.AssemblyPath);
        var different = before.Keys.Where(k => before[k] != after[k]).OrderBy(k => k, StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { "AssemblyToProcess.AsyncShapes.NothingAsync(System.String)", "AssemblyToProcess.ReturnShapes.GetQuote(System.String)" }, different);
    }
}
