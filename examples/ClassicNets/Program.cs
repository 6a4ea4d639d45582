using Sharpkeras.Examples.ClassicNets;

try
{
    ClassicNetsExample.Run(args);
    return 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
