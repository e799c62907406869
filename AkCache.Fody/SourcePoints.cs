using System.Linq;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace AkCache.Fody;

/// <summary>Where a build error points: a method's first line of code, or the line of one instruction.</summary>
internal static class SourcePoints
{
    private static readonly string[] StateMachineAttributes =
    {
        "System.Runtime.CompilerServices.AsyncStateMachineAttribute",
        "System.Runtime.CompilerServices.IteratorStateMachineAttribute",
        "System.Runtime.CompilerServices.AsyncIteratorStateMachineAttribute",
    };

    /// <summary>
    /// The method's first visible sequence point; for async and iterator methods, whose code the
    /// compiler moved into a state machine, the first one of its MoveNext. Null without symbols.
    /// </summary>
    public static SequencePoint? First(MethodDefinition method) =>
        FirstVisible(method) ?? FirstVisible(StateMachineMoveNext(method));

    /// <summary>The line that holds <paramref name="instruction"/>: the last visible sequence point at or before it; null without symbols.</summary>
    public static SequencePoint? At(MethodDefinition method, Instruction instruction)
    {
        for (var current = instruction; current is not null; current = current.Previous)
        {
            if (method.DebugInformation.GetSequencePoint(current) is { IsHidden: false } point)
            {
                return point;
            }
        }

        return null;
    }

    private static SequencePoint? FirstVisible(MethodDefinition? method) =>
        method?.DebugInformation.SequencePoints.FirstOrDefault(p => !p.IsHidden);

    private static MethodDefinition? StateMachineMoveNext(MethodDefinition method)
    {
        var attribute = method.CustomAttributes.FirstOrDefault(a => StateMachineAttributes.Contains(a.AttributeType.FullName));
        var stateMachine = attribute?.ConstructorArguments.FirstOrDefault().Value as TypeReference;
        return stateMachine?.Resolve()?.Methods.FirstOrDefault(m => m.Name == "MoveNext");
    }
}
