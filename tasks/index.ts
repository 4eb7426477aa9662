// Fulcra CLI: Hardhat tasks. Loaded by hardhat.config.ts (one import line).
import "./networks";
import "./deploy";
import "./read";
import "./act";
import "./local";
