namespace System.Runtime.CompilerServices;

// Records need this type, which .NET Framework does not have; the compiler accepts one declared here.
internal static class IsExternalInit
{
}
