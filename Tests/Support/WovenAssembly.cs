using System;
using System.Linq;
using System.Reflection;
using AkCache.Fody;
using Fody;

namespace AkCache.Tests.Support;

/// <summary>AssemblyToProcess, woven once for the whole test run, and typed access to its methods.</summary>
public static class WovenAssembly
{
    private static readonly Lazy<TestResult> Woven = new(() => new ModuleWeaver().ExecuteTestRun("AssemblyToProcess.dll", runPeVerify: false));

    public static TestResult Result => Woven.Value;

    public static Assembly Assembly => Result.Assembly;

    public static Type Type(string name) =>
        Assembly.GetType("AssemblyToProcess." + name) ?? throw new ArgumentException($"No type AssemblyToProcess.{name} in the woven assembly.");

    /// <summary>A delegate to the woven static method "Type.Method" (nested types as "Outer+Inner"), chosen by the delegate's parameter types.</summary>
    public static TDelegate Method<TDelegate>(string typeAndMethod)
        where TDelegate : Delegate
    {
        var dot = typeAndMethod.LastIndexOf('.');
        var type = Type(typeAndMethod.Substring(0, dot));
        var name = typeAndMethod.Substring(dot + 1);
        var invoke = typeof(TDelegate).GetMethod("Invoke")!;
        var parameterTypes = invoke.GetParameters().Select(p => p.ParameterType).ToArray();
        var method = type.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, null, parameterTypes, null)
            ?? throw new ArgumentException($"No static {typeAndMethod}({string.Join(", ", parameterTypes.Select(t => t.Name))}) in the woven assembly.");
        return (TDelegate)method.CreateDelegate(typeof(TDelegate));
    }

    /// <summary>How often the original body named <paramref name="name"/> ran (AssemblyToProcess.Calls).</summary>
    public static int Calls(string name) => (int)Type("Calls").GetMethod("Count")!.Invoke(null, new object[] { name })!;

    public static void ResetCalls() => Type("Calls").GetMethod("Reset")!.Invoke(null, null);

    /// <summary>Loads a type of the woven assembly into an object built from the same public properties (for return shapes).</summary>
    public static object? Property(object? instance, string name) => instance?.GetType().GetProperty(name)!.GetValue(instance);
}
