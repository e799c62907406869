using System;
using System.Collections.Generic;
using System.Linq;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace AkCache.Fody;

public partial class ModuleWeaver
{
    private const string RuntimeTypeName = "AkCache.AkCacheRuntime";

    /// <summary>
    /// AkCacheRuntime.Invalidate, ClearMethod and GetCacheInfo run their lambda to learn which
    /// memoized method it calls. A lambda (or method group) that can reach only methods of this
    /// assembly, none of them memoized, would throw ArgumentException when it runs: it is a build
    /// error at the call. Anything the weaver cannot see is left to that exception. This runs
    /// before weaving, while the lambdas still call the originals.
    /// </summary>
    private void CheckManagementCalls(List<MemoizeCandidate> candidates)
    {
        var memoized = new HashSet<MethodDefinition>(candidates.Select(c => c.Method));
        var reach = new MemoizedReach(ModuleDefinition, m => memoized.Contains(m) || FindMemoize(m) is not null);
        foreach (var method in ModuleDefinition.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody))
        {
            try
            {
                CheckManagementCallsIn(method, reach);
            }
            catch (Exception ex) when (ex is not global::Fody.WeavingException)
            {
                throw new InvalidOperationException($"AkCache failed to check the AkCacheRuntime calls in '{method.FullName}': {ex.Message}", ex);
            }
        }
    }

    private void CheckManagementCallsIn(MethodDefinition method, MemoizedReach reach)
    {
        foreach (var instruction in method.Body.Instructions)
        {
            if (ManagementOperation(instruction) is not { } operation
                || DelegateTarget(instruction) is not { } target
                || reach.Of(target) != Reach.NoMemoizedMethod)
            {
                continue;
            }

            WriteError(NotMemoizedMessage(operation, NamedTarget(target, reach)), SourcePoints.At(method, instruction));
        }
    }

    /// <summary>"Invalidate", "ClearMethod" or "GetCacheInfo" when the instruction calls that AkCacheRuntime method with a lambda; else null.</summary>
    private static string? ManagementOperation(Instruction instruction) =>
        instruction.OpCode == OpCodes.Call
        && instruction.Operand is GenericInstanceMethod { Name: "Invalidate" or "ClearMethod" or "GetCacheInfo" } called
        && called.DeclaringType.FullName == RuntimeTypeName
        && called.Parameters.Count == 1
            ? called.Name
            : null;

    /// <summary>
    /// The method the delegate argument was made of: ldftn, newobj Func&lt;T&gt;, then the call;
    /// with the compiler's cached delegate, "dup; stsfld" sits before the call. Null for a
    /// delegate that comes from anywhere else (a variable, a field, another call).
    /// </summary>
    private static MethodReference? DelegateTarget(Instruction call)
    {
        var previous = call.Previous;
        if (previous?.OpCode == OpCodes.Stsfld && previous.Previous?.OpCode == OpCodes.Dup)
        {
            previous = previous.Previous.Previous;
        }

        if (previous?.OpCode != OpCodes.Newobj || ((MethodReference)previous.Operand).DeclaringType.GetElementType().FullName != "System.Func`1")
        {
            return null;
        }

        return previous.Previous is { } load && load.OpCode == OpCodes.Ldftn ? (MethodReference)load.Operand : null;
    }

    /// <summary>
    /// What the error names: a method group's method itself; for a lambda, the last method of this
    /// assembly it calls (the outermost call of an expression); null when it calls none.
    /// </summary>
    private static MethodDefinition? NamedTarget(MethodReference target, MemoizedReach reach)
    {
        var method = reach.Local(target);
        if (method is null || !IsCompilerGenerated(method))
        {
            return method;
        }

        return method.Body.Instructions
            .Where(i => i.OpCode == OpCodes.Call || i.OpCode == OpCodes.Callvirt)
            .Select(i => reach.Local((MethodReference)i.Operand))
            .LastOrDefault(m => m is not null);
    }

    private static bool IsCompilerGenerated(MethodDefinition method) =>
        method.Name.StartsWith("<", StringComparison.Ordinal) || method.DeclaringType.Name.StartsWith("<", StringComparison.Ordinal);

    private static string NotMemoizedMessage(string operation, MethodDefinition? target)
    {
        var (why, fix) = operation switch
        {
            "Invalidate" => ("only a call of a [Memoize] method can be invalidated", "call Invalidate with a memoized method"),
            "ClearMethod" => ("only the entries of a [Memoize] method can be cleared", "pass ClearMethod a call of a memoized method"),
            _ => ("only a [Memoize] method has cache information", "pass GetCacheInfo a call of a memoized method"),
        };
        return target is null
            ? $"AkCache: the lambda given to AkCacheRuntime.{operation} calls no memoized method: {why}. Pass a call of a [Memoize] method, such as () => MarketData.History(\"600519\", 30)."
            : $"AkCache: AkCacheRuntime.{operation} targets '{MethodIdentity.Describe(target)}', which is not memoized: {why}. Add [Memoize] to it, or {fix}.";
    }
}
