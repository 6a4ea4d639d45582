using Sharpkeras.Examples.CifarCnn;

try
{
    return CifarCnnExample.Run(args) is null ? 3 : 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
