package dev.postern; public final class Main { public static void main(String[] a) {} }
