using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace AkCache.Fody;

/// <summary>
/// The automatic version part of a method's keys: a hash of what the method computes (its IL, the
/// IL of the state machine, lambdas and local functions the compiler made of it) and of the shape of
/// its result type (members, names and types, recursively). An unchanged method rebuilt by the same
/// compiler keeps its version; a changed body or result shape gets a new one, so a deploy never
/// reads entries written by the old implementation.
/// </summary>
internal static class MethodVersion
{
    private const int MaxShapeDepth = 6;

    public static string Compute(MethodDefinition method)
    {
        var text = new StringBuilder();
        AppendBody(method, text, new HashSet<string>());
        AppendShape(ResultType(method.ReturnType), text, 0, new HashSet<string>());
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString()));
        return string.Concat(hash.Take(4).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    private static TypeReference ResultType(TypeReference returnType) =>
        returnType is GenericInstanceType { ElementType.FullName: "System.Threading.Tasks.Task`1" or "System.Threading.Tasks.ValueTask`1" } task
            ? task.GenericArguments[0]
            : returnType;

    private static void AppendBody(MethodDefinition method, StringBuilder text, HashSet<string> seen)
    {
        if (!method.HasBody || !seen.Add(method.FullName))
        {
            return;
        }

        var body = method.Body;
        text.Append("body ").Append(method.Parameters.Count).Append(' ').Append(method.ReturnType.FullName).Append('\n');
        foreach (var variable in body.Variables)
        {
            text.Append("local ").Append(variable.VariableType.FullName).Append('\n');
        }

        var index = body.Instructions.Select((instruction, i) => (instruction, i)).ToDictionary(p => p.instruction, p => p.i);
        var generated = new List<MethodDefinition>();
        foreach (var instruction in body.Instructions)
        {
            text.Append(instruction.OpCode.Name).Append(' ').Append(Operand(instruction.Operand, index)).Append('\n');
            if (instruction.Operand is MethodReference called && CompilerGenerated(called) is MethodDefinition helper)
            {
                generated.Add(helper);
            }
        }

        foreach (var handler in body.ExceptionHandlers)
        {
            text.Append("handler ").Append(handler.HandlerType).Append(' ')
                .Append(Operand(handler.TryStart, index)).Append(' ').Append(Operand(handler.HandlerStart, index)).Append(' ')
                .Append(handler.CatchType?.FullName).Append('\n');
        }

        foreach (var stateMachine in method.CustomAttributes
                     .Where(a => a.AttributeType.Name.EndsWith("StateMachineAttribute", System.StringComparison.Ordinal))
                     .Select(a => (a.ConstructorArguments[0].Value as TypeReference)?.Resolve()))
        {
            generated.AddRange(stateMachine?.Methods.Where(m => m.HasBody) ?? Enumerable.Empty<MethodDefinition>());
        }

        foreach (var helper in generated)
        {
            AppendBody(helper, text, seen);
        }
    }

    /// <summary>Lambdas, local functions and state machine methods: compiler-made code that belongs to this method.</summary>
    private static MethodDefinition? CompilerGenerated(MethodReference reference)
    {
        MethodDefinition? definition;
        try
        {
            definition = reference.Resolve();
        }
        catch (AssemblyResolutionException)
        {
            return null;
        }

        return definition is not null && (definition.Name.Contains("<") || definition.DeclaringType.Name.Contains("<")) ? definition : null;
    }

    private static string Operand(object? operand, Dictionary<Instruction, int> index) => operand switch
    {
        null => "",
        Instruction target => "@" + (index.TryGetValue(target, out var i) ? i : -1),
        Instruction[] targets => string.Join(",", targets.Select(t => Operand(t, index))),
        MemberReference member => member.FullName,
        VariableDefinition variable => "v" + variable.Index,
        ParameterDefinition parameter => "p" + parameter.Index,
        string literal => "\"" + literal + "\"",
        System.IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => operand.ToString() ?? "",
    };

    private static void AppendShape(TypeReference type, StringBuilder text, int depth, HashSet<string> seen)
    {
        text.Append("shape ").Append(type.FullName).Append('\n');
        if (type is GenericInstanceType generic)
        {
            foreach (var argument in generic.GenericArguments)
            {
                AppendShape(argument, text, depth + 1, seen);
            }
        }

        if (type is ArrayType array)
        {
            AppendShape(array.ElementType, text, depth + 1, seen);
        }

        if (depth >= MaxShapeDepth || type.IsGenericParameter || type.Namespace.StartsWith("System", System.StringComparison.Ordinal) || !seen.Add(type.FullName))
        {
            return;
        }

        TypeDefinition? definition;
        try
        {
            definition = type.Resolve();
        }
        catch (AssemblyResolutionException)
        {
            return;
        }

        if (definition is null)
        {
            return;
        }

        if (definition.IsEnum)
        {
            foreach (var field in definition.Fields.Where(f => f.IsStatic))
            {
                text.Append("enum ").Append(field.Name).Append('=').Append(field.Constant).Append('\n');
            }

            return;
        }

        foreach (var field in definition.Fields.Where(f => !f.IsStatic))
        {
            text.Append("field ").Append(field.Name).Append(' ').Append(field.FieldType.FullName).Append('\n');
            AppendShape(field.FieldType, text, depth + 1, seen);
        }

        if (definition.BaseType is TypeReference baseType && baseType.FullName != "System.Object" && baseType.FullName != "System.ValueType")
        {
            AppendShape(baseType, text, depth + 1, seen);
        }
    }
}
