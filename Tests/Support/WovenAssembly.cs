using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Reflection;
using AkCache.Fody;
using Fody;

namespace AkCache.Tests.Support;

/// <summary>
/// AssemblyToProcess, woven once per build configuration for the whole test run, with typed access
/// to its methods. <see cref="WovenAssembly"/> is the build the test project references;
/// <see cref="Woven.Debug"/> and <see cref="Woven.Release"/> are copies built in both configurations
/// (Tests.csproj builds them), loaded side by side under their own assembly names.
/// </summary>
public sealed class Woven
{
    private static readonly ConcurrentDictionary<string, Woven> ByConfiguration = new();

    private readonly Lazy<TestResult> _result;

    private Woven(string path, string? assemblyName) =>
        _result = new Lazy<TestResult>(() => new ModuleWeaver().ExecuteTestRun(path, runPeVerify: false, assemblyName: assemblyName));

    public static Woven Referenced { get; } = new("AssemblyToProcess.dll", null);

    public static Woven Debug => For("Debug");

    public static Woven Release => For("Release");

    public static Woven For(string configuration) => ByConfiguration.GetOrAdd(configuration, c =>
        new Woven(Path.Combine(AppContext.BaseDirectory, "AssemblyToProcess." + c, "AssemblyToProcess.dll"), "AssemblyToProcess" + c));

    public TestResult Result => _result.Value;

    public Assembly Assembly => Result.Assembly;

    public Type Type(string name) =>
        Assembly.GetType("AssemblyToProcess." + name) ?? throw new ArgumentException($"No type AssemblyToProcess.{name} in the woven assembly.");

    /// <summary>
    /// A delegate to the woven static method "Type.Method" (nested types as "Outer+Inner", generic
    /// types as "Holder`1[System.Int32]"), chosen by the delegate's parameter types; generic
    /// methods are instantiated with <paramref name="typeArguments"/>.
    /// </summary>
    public TDelegate Method<TDelegate>(string typeAndMethod, params Type[] typeArguments)
        where TDelegate : Delegate
    {
        var open = typeAndMethod.IndexOf('[');
        var dot = typeAndMethod.LastIndexOf('.');
        var typeName = typeAndMethod.Substring(0, dot);
        var type = open > 0 ? ResolveGenericType(typeName) : Type(typeName);
        var name = typeAndMethod.Substring(dot + 1);
        var invoke = typeof(TDelegate).GetMethod("Invoke")!;
        var parameterTypes = invoke.GetParameters().Select(p => p.ParameterType).ToArray();
        var candidates = type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(m => m.Name == name && m.GetParameters().Length == parameterTypes.Length && m.GetGenericArguments().Length == typeArguments.Length)
            .Select(m => typeArguments.Length > 0 ? m.MakeGenericMethod(typeArguments) : m)
            .Where(m => m.GetParameters().Select(p => p.ParameterType).SequenceEqual(parameterTypes))
            .ToList();
        var method = candidates.Count == 1
            ? candidates[0]
            : throw new ArgumentException($"{candidates.Count} static {typeAndMethod}({string.Join(", ", parameterTypes.Select(t => t.Name))}) in the woven assembly.");
        return (TDelegate)method.CreateDelegate(typeof(TDelegate));
    }

    /// <summary>How often the original body named <paramref name="name"/> ran (AssemblyToProcess.Calls).</summary>
    public int Calls(string name) => (int)Type("Calls").GetMethod("Count")!.Invoke(null, new object[] { name })!;

    public void ResetCalls() => Type("Calls").GetMethod("Reset")!.Invoke(null, null);

    private Type ResolveGenericType(string name)
    {
        var open = name.IndexOf('[');
        var definition = Type(name.Substring(0, open));
        var arguments = name.Substring(open + 1, name.Length - open - 2).Split(',').Select(a => System.Type.GetType(a.Trim(), throwOnError: true)!).ToArray();
        return definition.MakeGenericType(arguments);
    }
}

/// <summary>The woven build that the test project references, for tests that need one configuration only.</summary>
public static class WovenAssembly
{
    public static TestResult Result => Woven.Referenced.Result;

    public static Assembly Assembly => Woven.Referenced.Assembly;

    public static Type Type(string name) => Woven.Referenced.Type(name);

    public static TDelegate Method<TDelegate>(string typeAndMethod)
        where TDelegate : Delegate => Woven.Referenced.Method<TDelegate>(typeAndMethod);

    public static int Calls(string name) => Woven.Referenced.Calls(name);

    public static void ResetCalls() => Woven.Referenced.ResetCalls();

    public static object? Property(object? instance, string name) => instance?.GetType().GetProperty(name)!.GetValue(instance);
}
