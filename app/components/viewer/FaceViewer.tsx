'use client';

import { useEffect, useMemo, useRef } from 'react';
import { Canvas, useThree, type ThreeEvent } from '@react-three/fiber';
import { OrbitControls } from '@react-three/drei';
import type { OrbitControls as OrbitControlsImpl } from 'three-stdlib';
import * as THREE from 'three';
import { nearestVertexOfFace } from './map-data';

export interface ViewerPin {
  id: string;
  /** [x, y, z] mm. */
  position: readonly [number, number, number];
  /** Short label drawn beside the marker (e.g. its number in the comment list). */
  label: string;
  title: string;
}

export interface FaceViewerProps {
  /** Float32 [V][3] mm. */
  positions: Float32Array;
  /** Uint32 [T][3]. */
  triangles: Uint32Array;
  /** Float32 [V][3] sRGB in [0, 1] (from vertexColors). */
  colors: Float32Array;
  pins?: ViewerPin[];
  /** A click on the face (not a drag) picks its nearest vertex. */
  onPick?: (vertex: number, position: [number, number, number]) => void;
  selectedVertex?: number | null;
  /** The vertex under the pointer (null when it leaves the face), for the hover readout. */
  onHover?: (vertex: number | null) => void;
  /** Receives the <canvas> (PNG export reads it: the drawing buffer is preserved). */
  onCanvas?: (canvas: HTMLCanvasElement | null) => void;
  /** Accessible description of what is shown. */
  label: string;
  /** Identifies the drawn map; set on the wrapper as data-rendered once its colours are on screen. */
  renderKey?: string;
  height?: number;
}

/** sRGB component → linear: three.js treats vertex colours as linear and converts on output. */
function srgbToLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/**
 * Normals averaged over vertices that share a position: the mesh duplicates vertices along its
 * texture seam, and per-copy normals would shade the seam as a visible line when the face turns.
 * `normals` is Float32 [V][3] (from computeVertexNormals), rewritten in place and renormalised.
 */
export function weldSeamNormals(positions: Float32Array, normals: Float32Array): void {
  const groups = new Map<string, number[]>();
  const n = positions.length / 3;
  for (let v = 0; v < n; v++) {
    // 1 µm grid: copies of one seam vertex have identical coordinates.
    const key = `${Math.round(positions[v * 3]! * 1000)},${Math.round(positions[v * 3 + 1]! * 1000)},${Math.round(positions[v * 3 + 2]! * 1000)}`;
    const g = groups.get(key);
    if (g) g.push(v);
    else groups.set(key, [v]);
  }
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    let x = 0, y = 0, z = 0;
    for (const v of g) (x += normals[v * 3]!), (y += normals[v * 3 + 1]!), (z += normals[v * 3 + 2]!);
    const len = Math.hypot(x, y, z) || 1;
    for (const v of g) (normals[v * 3] = x / len), (normals[v * 3 + 1] = y / len), (normals[v * 3 + 2] = z / len);
  }
}

function FaceMesh({ positions, triangles, colors, onPick, onHover, renderKey, wrapper }: Pick<FaceViewerProps, 'positions' | 'triangles' | 'colors' | 'onPick' | 'onHover' | 'renderKey'> & { wrapper: React.RefObject<HTMLDivElement | null> }) {
  const invalidate = useThree((s) => s.invalidate);
  const geometry = useMemo(() => {
    const g = new THREE.BufferGeometry();
    g.setAttribute('position', new THREE.BufferAttribute(positions, 3));
    g.setIndex(new THREE.BufferAttribute(triangles, 1));
    g.setAttribute('color', new THREE.BufferAttribute(new Float32Array(positions.length), 3));
    g.computeVertexNormals();
    weldSeamNormals(positions, (g.getAttribute('normal') as THREE.BufferAttribute).array as Float32Array);
    g.computeBoundingSphere();
    return g;
  }, [positions, triangles]);
  useEffect(() => () => geometry.dispose(), [geometry]);

  useEffect(() => {
    const attr = geometry.getAttribute('color') as THREE.BufferAttribute;
    const arr = attr.array as Float32Array;
    for (let i = 0; i < arr.length && i < colors.length; i++) arr[i] = srgbToLinear(colors[i]!);
    attr.needsUpdate = true;
    invalidate();
    // Mark the wrapper after the frame that shows these colours (tests and timings wait for it).
    const id = requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        wrapper.current?.setAttribute('data-rendered', renderKey ?? 'map');
        // The first map on screen: the dashboard's "3D map shown" time (performance.getEntriesByName).
        if (!performance.getEntriesByName('deeper:map-rendered').length) performance.mark('deeper:map-rendered');
      }),
    );
    return () => cancelAnimationFrame(id);
  }, [geometry, colors, invalidate, renderKey, wrapper]);

  const click = (e: ThreeEvent<MouseEvent>) => {
    if (!onPick || e.faceIndex == null || e.delta > 4) return;
    e.stopPropagation();
    const v = nearestVertexOfFace(positions, triangles, e.faceIndex, [e.point.x, e.point.y, e.point.z]);
    onPick(v, [positions[v * 3]!, positions[v * 3 + 1]!, positions[v * 3 + 2]!]);
  };

  const hover = (e: ThreeEvent<PointerEvent>) => {
    if (!onHover || e.faceIndex == null) return;
    e.stopPropagation();
    onHover(nearestVertexOfFace(positions, triangles, e.faceIndex, [e.point.x, e.point.y, e.point.z]));
  };

  return (
    <mesh geometry={geometry} onClick={click} onPointerMove={onHover ? hover : undefined} onPointerOut={onHover ? () => onHover(null) : undefined}>
      {/* Lambert: diffuse only, no specular highlights that would read as high information. */}
      <meshLambertMaterial vertexColors side={THREE.DoubleSide} />
    </mesh>
  );
}

/** A light that follows the camera, so the side facing the viewer is always lit. */
function HeadLight() {
  const camera = useThree((s) => s.camera);
  const light = useMemo(() => new THREE.DirectionalLight(0xffffff, 1.7), []);
  useEffect(() => {
    light.position.set(-0.35, 0.45, 1);
    camera.add(light);
    return () => void camera.remove(light);
  }, [camera, light]);
  return <primitive object={camera} />;
}

function Pins({ pins, selected }: { pins: ViewerPin[]; selected: readonly [number, number, number] | null }) {
  return (
    <group>
      {pins.map((p) => (
        <mesh key={p.id} position={p.position as [number, number, number]}>
          <sphereGeometry args={[3, 16, 12]} />
          <meshBasicMaterial color="#ff3d00" />
        </mesh>
      ))}
      {selected && (
        <mesh position={selected as [number, number, number]}>
          <torusGeometry args={[4.5, 1, 8, 24]} />
          <meshBasicMaterial color="#ffffff" />
        </mesh>
      )}
    </group>
  );
}

/**
 * The face with a per-vertex map: orbit controls (drag to turn, wheel to zoom), an ambient plus
 * head-light setup that keeps colours close to the colormap, comment markers at vertices, click to
 * pick a vertex. Renders on demand (software WebGL stays responsive).
 */
/** Standard views: the camera's direction from the face's centre (unit vector, mm axes). */
export const STANDARD_VIEWS = {
  front: [0, 0, 1],
  left: [-1, 0, 0.0001],
  right: [1, 0, 0.0001],
} as const satisfies Record<string, readonly [number, number, number]>;
export type StandardView = keyof typeof STANDARD_VIEWS;

export function FaceViewer({ positions, triangles, colors, pins = [], onPick, onHover, selectedVertex = null, onCanvas, label, renderKey, height = 420 }: FaceViewerProps) {
  const wrapper = useRef<HTMLDivElement>(null);
  const controls = useRef<OrbitControlsImpl | null>(null);
  // Frame the head: camera on +z looking at the bounding box centre, far enough for its height.
  const frame = useMemo(() => {
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < positions.length; i++) {
      const k = i % 3;
      lo[k] = Math.min(lo[k]!, positions[i]!);
      hi[k] = Math.max(hi[k]!, positions[i]!);
    }
    const centre: [number, number, number] = [(lo[0]! + hi[0]!) / 2, (lo[1]! + hi[1]!) / 2, (lo[2]! + hi[2]!) / 2];
    const size = Math.max(hi[0]! - lo[0]!, hi[1]! - lo[1]!) || 250;
    const distance = (0.5 * size * 0.9) / Math.tan((17.5 * Math.PI) / 180) + (hi[2]! - centre[2]);
    return { centre, distance, radius: size / 2 };
  }, [positions]);
  const radius = frame.radius;
  const selected = selectedVertex !== null && selectedVertex * 3 + 2 < positions.length ? ([positions[selectedVertex * 3]!, positions[selectedVertex * 3 + 1]!, positions[selectedVertex * 3 + 2]!] as const) : null;
  useEffect(() => wrapper.current?.removeAttribute('data-rendered'), [renderKey]);
  /** Puts the camera on a standard view at the framing distance ('front' is also the reset view). */
  const view = (name: StandardView) => {
    const c = controls.current;
    if (!c) return;
    const [dx, dy, dz] = STANDARD_VIEWS[name];
    c.object.position.set(frame.centre[0] + dx * frame.distance, frame.centre[1] + dy * frame.distance, frame.centre[2] + dz * frame.distance);
    c.target.set(...frame.centre);
    c.object.up.set(0, 1, 0);
    c.update();
    wrapper.current?.setAttribute('data-view', name);
  };
  return (
    <>
    <div ref={wrapper} className="face-viewer" style={{ height }} role="img" aria-label={label} data-vertices={positions.length / 3}>
      <Canvas
        frameloop="demand"
        dpr={[1, 1.5]}
        camera={{ position: [frame.centre[0], frame.centre[1], frame.centre[2] + frame.distance], fov: 35, near: 1, far: frame.distance * 10 }}
        gl={{ preserveDrawingBuffer: true, antialias: true }}
        onCreated={(s) => {
          s.gl.setClearColor('#f3f4f6');
          onCanvas?.(s.gl.domElement);
        }}
      >
        <ambientLight intensity={1.35} />
        <HeadLight />
        <FaceMesh positions={positions} triangles={triangles} colors={colors} onPick={onPick} onHover={onHover} renderKey={renderKey} wrapper={wrapper} />
        <Pins pins={pins} selected={selected} />
        <OrbitControls ref={controls} makeDefault enablePan={false} target={frame.centre} minDistance={radius * 1.2} maxDistance={frame.distance * 3} />
      </Canvas>
      {pins.length > 0 && (
        <ol className="pin-list" aria-label="Comments pinned to this map">
          {pins.map((p) => (
            <li key={p.id} title={p.title}>
              <span className="pin-dot" aria-hidden="true" /> {p.label}
            </li>
          ))}
        </ol>
      )}
    </div>
      <div className="view-buttons" role="group" aria-label="Camera views">
        <button type="button" className="small-button" onClick={() => view('front')} title="Back to the starting view">
          Reset view
        </button>
        <button type="button" className="small-button" onClick={() => view('front')}>
          Front
        </button>
        <button type="button" className="small-button" onClick={() => view('left')}>
          Left
        </button>
        <button type="button" className="small-button" onClick={() => view('right')}>
          Right
        </button>
      </div>
    </>
  );
}
