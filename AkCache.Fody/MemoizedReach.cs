using System;
using System.Collections.Generic;
using System.Linq;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace AkCache.Fody;

/// <summary>What calling a method can lead to, as far as the weaver can see.</summary>
internal enum Reach
{
    /// <summary>A memoized method of this assembly is called, directly or through methods of this assembly.</summary>
    Memoized,

    /// <summary>Every method that can run is in this assembly, or is plain library code, and none of them is memoized.</summary>
    NoMemoizedMethod,

    /// <summary>Something that can run is out of sight (another assembly, a virtual call, a delegate): only the run time knows.</summary>
    Unknown,
}

/// <summary>
/// Follows the calls a method makes, through the methods of this assembly, to tell whether a
/// memoized one can be reached. It answers <see cref="Reach.NoMemoizedMethod"/> only when it saw
/// everything that can run: a call into another assembly, a virtual or interface call, a delegate
/// invocation or calli makes the answer <see cref="Reach.Unknown"/>. The exception is a short list
/// of base library types (string, the numeric types, Math, DateTime...) whose methods take plain
/// data only, and so cannot call back into user code.
/// </summary>
internal sealed class MemoizedReach
{
    private static readonly HashSet<string> LibraryAssemblies = new(StringComparer.Ordinal)
    {
        "System.Runtime", "System.Private.CoreLib", "mscorlib", "netstandard",
    };

    private static readonly HashSet<string> PlainDataTypes = new(StringComparer.Ordinal)
    {
        "System.String", "System.Boolean", "System.Char", "System.SByte", "System.Byte", "System.Int16", "System.UInt16",
        "System.Int32", "System.UInt32", "System.Int64", "System.UInt64", "System.Single", "System.Double", "System.Decimal",
        "System.DateTime", "System.DateTimeOffset", "System.DateOnly", "System.TimeOnly", "System.TimeSpan", "System.Guid",
    };

    private static readonly HashSet<string> PlainLibraryTypes = new(PlainDataTypes.Concat(new[] { "System.Math", "System.MathF" }), StringComparer.Ordinal);

    private readonly ModuleDefinition _module;
    private readonly Func<MethodDefinition, bool> _isMemoized;

    public MemoizedReach(ModuleDefinition module, Func<MethodDefinition, bool> isMemoized)
    {
        _module = module;
        _isMemoized = isMemoized;
    }

    /// <summary>What a call of <paramref name="target"/> (the method a delegate was made of) can reach.</summary>
    public Reach Of(MethodReference target)
    {
        var visited = new HashSet<MethodDefinition>();
        var pending = new Stack<MethodDefinition>();
        var first = Step(target, virtualCall: false, visited, pending);
        if (first != Reach.NoMemoizedMethod)
        {
            return first;
        }

        while (pending.Count > 0)
        {
            foreach (var instruction in pending.Pop().Body.Instructions)
            {
                var reach = instruction.OpCode.Code switch
                {
                    Code.Call or Code.Newobj => Step((MethodReference)instruction.Operand, virtualCall: false, visited, pending),
                    Code.Callvirt => Step((MethodReference)instruction.Operand, virtualCall: true, visited, pending),
                    Code.Calli or Code.Jmp => Reach.Unknown,
                    _ => Reach.NoMemoizedMethod,
                };
                if (reach != Reach.NoMemoizedMethod)
                {
                    return reach;
                }
            }
        }

        return Reach.NoMemoizedMethod;
    }

    /// <summary>The method of this assembly that <paramref name="reference"/> names, or null for one of another assembly.</summary>
    public MethodDefinition? Local(MethodReference reference) =>
        reference.DeclaringType.GetElementType() is TypeDefinition type && type.Module == _module ? reference.Resolve() : null;

    /// <summary>One call: memoized, out of sight, or (queued to be read) a method of this assembly.</summary>
    private Reach Step(MethodReference reference, bool virtualCall, HashSet<MethodDefinition> visited, Stack<MethodDefinition> pending)
    {
        if (Local(reference) is not { } method)
        {
            return IsPlainLibraryCall(reference) ? Reach.NoMemoizedMethod : Reach.Unknown;
        }

        if (_isMemoized(method))
        {
            return Reach.Memoized;
        }

        // An override elsewhere may run instead; a method without a body (extern, abstract) cannot be read.
        if ((virtualCall && method.IsVirtual && !method.IsFinal && !method.DeclaringType.IsSealed) || !method.HasBody)
        {
            return Reach.Unknown;
        }

        if (visited.Add(method))
        {
            pending.Push(method);
        }

        return Reach.NoMemoizedMethod;
    }

    /// <summary>A base library method that cannot call back into user code: object's constructor, or a plain type's method on plain data.</summary>
    private static bool IsPlainLibraryCall(MethodReference reference)
    {
        var type = reference.DeclaringType;
        if (reference is GenericInstanceMethod || type.Scope is not AssemblyNameReference assembly || !LibraryAssemblies.Contains(assembly.Name))
        {
            return false;
        }

        if (type.FullName == "System.Object" && reference.Name == ".ctor")
        {
            return true;
        }

        return PlainLibraryTypes.Contains(type.FullName) && reference.Parameters.All(p => IsPlainData(p.ParameterType));
    }

    private static bool IsPlainData(TypeReference type) => type switch
    {
        ByReferenceType byReference => IsPlainData(byReference.ElementType),
        ArrayType array => IsPlainData(array.ElementType),
        _ => PlainDataTypes.Contains(type.FullName),
    };
}
