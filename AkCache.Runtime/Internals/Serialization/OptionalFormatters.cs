using System;
using System.IO;
using System.Reflection;
using AkCache.Internals.Serialization.Formatters;
using MessagePack.Formatters;

namespace AkCache.Internals.Serialization;

/// <summary>
/// Formatters shipped in packages of their own, for types from libraries most applications never
/// reference (docs/dataframes.md). The runtime knows such a type only by its full name, so it does
/// not depend on the library; it finds the formatter by its assembly-qualified name the first time
/// the type is stored, and without it refuses the type, naming the package to add.
/// </summary>
internal static class OptionalFormatters
{
    public const string DataFrameTypeName = "Microsoft.Data.Analysis.DataFrame";

    public const string DataFrameFormatterName = "AkCache.DataAnalysis.DataFrameFormatter, AkCache.DataAnalysis";

    public const string DataFrameMissingReason = "a DataFrame needs the AkCache.DataAnalysis package to be cached";

    public const string DataFrameMissingFix = "Add the AkCache.DataAnalysis package (dotnet add package AkCache.DataAnalysis)";

    /// <summary>The formatter for <paramref name="type"/> if a package provides it, a refusing one if that package is missing; null for every other type.</summary>
    public static object? For(Type type) =>
        type.FullName == DataFrameTypeName ? Find(type, DataFrameFormatterName, DataFrameMissingReason, DataFrameMissingFix) : null;

    /// <summary>
    /// The public static <c>Instance</c> of the type named <paramref name="formatterName"/>, which must be an
    /// <see cref="IMessagePackFormatter{T}"/> of <paramref name="type"/>; otherwise a formatter that
    /// refuses <paramref name="type"/> with <paramref name="missingReason"/> and <paramref name="fix"/>.
    /// </summary>
    internal static object Find(Type type, string formatterName, string missingReason, string fix)
    {
        var formatterType = Resolve(formatterName);
        if (formatterType is null)
        {
            return Refused(type, missingReason, fix);
        }

        const BindingFlags Static = BindingFlags.Public | BindingFlags.Static;
        var instance = formatterType.GetField("Instance", Static)?.GetValue(null) ?? formatterType.GetProperty("Instance", Static)?.GetValue(null);
        if (instance is null || !typeof(IMessagePackFormatter<>).MakeGenericType(type).IsInstanceOfType(instance))
        {
            // Typically a package built against another version of the type's library than the one loaded.
            return Refused(
                type,
                $"{formatterType.FullName} ({formatterType.Assembly.GetName().Name} {formatterType.Assembly.GetName().Version}) cannot store this {type.FullName} ({type.Assembly.GetName().Name} {type.Assembly.GetName().Version}), which it was not built against",
                "Use the " + formatterType.Assembly.GetName().Name + " package of the same version as AkCache.Fody, and a version of " + type.Assembly.GetName().Name + " it supports");
        }

        return instance;
    }

    private static Type? Resolve(string assemblyQualifiedName)
    {
        try
        {
            if (Type.GetType(assemblyQualifiedName, throwOnError: false) is Type found)
            {
                return found;
            }
        }
        catch (Exception e) when (e is FileLoadException or BadImageFormatException or TypeLoadException)
        {
            // An assembly of that name that cannot be loaded: as good as absent.
            return null;
        }

        // Assemblies loaded outside the default context (a plugin's) are invisible to Type.GetType.
        var comma = assemblyQualifiedName.IndexOf(',');
        if (comma < 0)
        {
            return null;
        }

        var typeName = assemblyQualifiedName.Substring(0, comma).Trim();
        var assemblyName = assemblyQualifiedName.Substring(comma + 1).Trim();
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (string.Equals(assembly.GetName().Name, assemblyName, StringComparison.Ordinal) && assembly.GetType(typeName, throwOnError: false) is Type loaded)
            {
                return loaded;
            }
        }

        return null;
    }

    private static object Refused(Type type, string reason, string fix) =>
        Activator.CreateInstance(typeof(RefusedFormatter<>).MakeGenericType(type), new NotFaithfulException(reason, fix))!;
}
